/**
 * One port for HTTP and HTTPS: the first byte of a connection tells a TLS handshake (0x16) from a
 * plain request; either way the connection goes to the same node:http server (GraphQL, the REST
 * API, WebSockets). A TLS connection is decrypted through a stream wrapper around the socket,
 * which hands the TLS layer the bytes already read.
 */
import type { Server } from 'node:http';
import { createServer, type Server as NetServer, type Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { TLSSocket, createSecureContext } from 'node:tls';
import type { ServingCert } from './serving-cert.js';

const TLS_HANDSHAKE = 0x16;
const FIRST_BYTE_TIMEOUT_MS = 30_000;

/** The socket as a plain Duplex (so TLS reads through it, `first` included), closing with it. */
function streamOf(socket: Socket, first: Buffer): Duplex {
  const duplex = new Duplex({
    read() {
      socket.resume();
    },
    write(chunk, encoding, callback) {
      socket.write(chunk, encoding, callback);
    },
    final(callback) {
      socket.end(callback);
    },
    destroy(error, callback) {
      socket.destroy(error ?? undefined);
      callback(error);
    },
  });
  duplex.push(first);
  socket.on('data', (d: Buffer) => {
    if (!duplex.push(d)) socket.pause();
  });
  socket.on('end', () => duplex.push(null));
  socket.on('close', () => duplex.destroy());
  socket.on('error', (e) => duplex.destroy(e));
  return duplex;
}

/** A listener whose connections, plain or TLS, go to `http`. */
export function plainAndTls(http: Server, cert: ServingCert): NetServer {
  const secureContext = createSecureContext({ cert: cert.cert, key: cert.key, minVersion: 'TLSv1.2' });
  return createServer({ pauseOnConnect: true }, (socket) => {
    // A connection that sends nothing is closed before any HTTP server's timeouts would apply to it.
    socket.setTimeout(FIRST_BYTE_TIMEOUT_MS, () => socket.destroy());
    socket.once('data', (first: Buffer) => {
      socket.setTimeout(0);
      socket.pause();
      if (first[0] === TLS_HANDSHAKE) {
        const tls = new TLSSocket(streamOf(socket, first), { isServer: true, secureContext, ALPNProtocols: ['http/1.1'] });
        tls.on('error', () => tls.destroy());
        http.emit('connection', tls);
      } else {
        socket.unshift(first);
        http.emit('connection', socket);
      }
      socket.resume();
    });
    socket.on('error', () => socket.destroy());
    socket.resume();
  });
}
