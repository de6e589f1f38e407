/** A one-line progress indicator for long work, on stderr and only when stderr is a terminal (never in pipes, files or tests). */

export interface Progress {
  update(text: string): void;
  done(): void;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export function createProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) return { update() {}, done() {} };
  let text = '';
  let frame = 0;
  let finished = false;
  const draw = () => stream.write(`\r\x1b[K${FRAMES[frame++ % FRAMES.length]} ${text}`);
  const timer = setInterval(draw, 100);
  timer.unref();
  return {
    update(next) {
      if (finished) return;
      text = next;
      draw();
    },
    done() {
      if (finished) return;
      finished = true;
      clearInterval(timer);
      stream.write('\r\x1b[K');
    },
  };
}
