/** The admin token of each test API server, by URL, so clients and components started against it authenticate. */
const tokens = new Map<string, string>();

const origin = (url: string) => new URL(url.replace(/^ws/, 'http')).origin;

export function registerToken(url: string, token: string): void {
  tokens.set(origin(url), token);
}

export function tokenFor(url: string): string | undefined {
  return tokens.get(origin(url));
}
