import 'reflect-metadata';
import { ConfigError, loadConfig } from '@pool/platform';
import { describe, expect, it } from 'vitest';
import { PoolMasterConfig } from './pool-master.config.js';

const DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const load = (env: Record<string, string>) =>
  loadConfig(PoolMasterConfig, { DATABASE_URL, ...env });

describe('the pool master listen addresses', () => {
  it('are loopback unless HOST widens them, gRPC included', () => {
    expect(load({})).toMatchObject({ host: '127.0.0.1', grpcUrl: '127.0.0.1:50051' });
    expect(load({ HOST: '0.0.0.0' })).toMatchObject({ host: '0.0.0.0', grpcUrl: '0.0.0.0:50051' });
    expect(load({ HOST: '::' }).grpcUrl).toBe('[::]:50051');
  });

  it('take GRPC_URL as given, off included', () => {
    expect(load({ HOST: '0.0.0.0', GRPC_URL: '127.0.0.1:50052' }).grpcUrl).toBe('127.0.0.1:50052');
    expect(load({ GRPC_URL: 'off' }).grpcUrl).toBe('off');
  });

  it('name GRPC_URL when it is malformed', () => {
    expect(() => load({ GRPC_URL: 'nowhere' })).toThrow(ConfigError);
    expect(() => load({ GRPC_URL: 'nowhere' })).toThrow(/GRPC_URL must be host:port or 'off'/);
  });
});
