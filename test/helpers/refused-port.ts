/**
 * A loopback port that refuses connections by construction, for "unreachable host" cases: the
 * local end of a connection we hold open. Nothing listens on it (a connection to it is refused,
 * ECONNREFUSED), and while our connection holds it the kernel gives it to no one else who asks
 * for a free port, unlike a port that was listened on and closed, which anyone may take next.
 */
import { createServer, connect, type Socket } from 'node:net';

export interface RefusedPort {
  readonly port: number;
  close(): Promise<void>;
}

/** Holds a loopback port that refuses connections until `close()`. */
export async function holdRefusedPort(): Promise<RefusedPort> {
  const accepted: Socket[] = [];
  const server = createServer((socket) => {
    accepted.push(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const serverPort = typeof address === 'object' && address !== null ? address.port : 0;
  const client = connect(serverPort, '127.0.0.1');
  client.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    client.once('connect', resolve);
    client.once('error', reject);
  });
  const port = client.localPort;
  if (port === undefined) throw new Error('the held connection has no local port');
  return {
    port,
    close: async () => {
      client.destroy();
      for (const socket of accepted) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
