import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '@pool/platform';
import { MemberHostConfig } from './member-host.config.js';

const load = (env: Record<string, string>) =>
  loadConfig(MemberHostConfig, { POOL_ID: 'p', ...env });

describe('MemberHostConfig: DHCP client and resolver', () => {
  it('runs dhclient and leaves MANAGE_RESOLV_CONF to the driver by default', () => {
    const config = load({});
    expect(config.dhcpClient).toBe('dhclient');
    expect(config.manageResolvConf).toBeUndefined();
    expect(config.resolvConf).toBe('/etc/resolv.conf');
  });

  it('reads the operator turning them off', () => {
    const config = load({ DHCP_CLIENT: 'none', MANAGE_RESOLV_CONF: 'false', RESOLV_CONF: '/x' });
    expect(config).toMatchObject({ dhcpClient: 'none', manageResolvConf: false, resolvConf: '/x' });
  });

  it('refuses a MANAGE_RESOLV_CONF that is not a boolean', () => {
    expect(() => load({ MANAGE_RESOLV_CONF: 'sometimes' })).toThrow(ConfigError);
  });
});
