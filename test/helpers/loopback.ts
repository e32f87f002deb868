/** Where the tests' small purpose-built HTTP servers listen: 127.0.0.1, a free port. */
import type { Server } from 'node:http';

/** A server listening on loopback. */
export interface Listening {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  /** Ends every open connection (streams held open included) and stops listening. */
  readonly close: () => Promise<void>;
}

/** Makes `server` listen on 127.0.0.1 at a port the system picks (port 0). */
export async function listenOnLoopback(server: Server): Promise<Listening> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
