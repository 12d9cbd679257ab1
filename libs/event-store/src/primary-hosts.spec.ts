import { describe, expect, it } from 'vitest';
import { databaseHosts, pgConnection } from './primary-hosts.js';

describe('multi-host database URLs', () => {
  it('lists each host with its port (5432 when none is given)', () => {
    expect(databaseHosts('postgres://u:p@db1:5433,db2,[::1]:5434/poolnet?sslmode=disable')).toEqual(
      [
        { host: 'db1', port: 5433 },
        { host: 'db2', port: 5432 },
        { host: '::1', port: 5434 },
      ],
    );
  });

  it('leaves a one-host URL to node-postgres as it is', () => {
    const url = 'postgres://postgres@127.0.0.1:5432/postgres';
    expect(pgConnection(url)).toEqual({ connectionString: url });
  });

  it('gives node-postgres one host and a socket that follows the primary for several', () => {
    const options = pgConnection('postgresql://u:p@a:1,b:2/db?application_name=x');
    expect(options.connectionString).toBe('postgresql://u:p@a:1/db?application_name=x');
    expect(typeof options.stream).toBe('function');
  });
});
