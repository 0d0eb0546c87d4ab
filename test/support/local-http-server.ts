/** A node:http server on a free loopback port for test doubles of HTTP services. */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LocalHttpServer {
  readonly url: string;
  /** Closes the server and every open connection (hanging requests hold theirs open). */
  close(): Promise<void>;
}

export async function startLocalHttpServer(
  handle: (request: IncomingMessage, response: ServerResponse) => Promise<void>,
): Promise<LocalHttpServer> {
  const server = createServer((request, response) => {
    handle(request, response).catch(() => {
      response.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
