// What the apps need from the network stack: a way to listen. tcp/stack.ts `Stack` provides it.
import { TcpServerApi, TcpSocketApi, SocketBuffers } from '../../tcp/socket-api';

export interface ServerHost {
  createServer(port: number, onConnection: (socket: TcpSocketApi) => void, opts?: SocketBuffers): TcpServerApi;
}
