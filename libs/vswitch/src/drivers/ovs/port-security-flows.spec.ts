import { describe, expect, it } from 'vitest';
import { securityFlows } from './port-security-flows.js';

describe('securityFlows', () => {
  it('admits only the VIF addresses under port security', () => {
    const flows = securityFlows('pnv-a', { mac: '02:00:00:00:00:01', ipv4: '10.0.0.1' });
    expect(flows[0]).toContain('priority=50000,in_port=pnv-a,actions=drop');
    expect(flows.join('\n')).toContain('arp,arp_sha=02:00:00:00:00:01,arp_spa=10.0.0.1');
    expect(flows.join('\n')).toContain('ip,nw_src=10.0.0.1');
  });
});
