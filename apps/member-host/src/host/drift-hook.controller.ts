import { BadRequestException, Body, Controller, Get, HttpCode, Inject, Post } from '@nestjs/common';
import { MemoryVSwitchDriver } from '@pool/vswitch';
import { MemberHostService } from './member-host.service.js';

interface DriftRequest {
  action?: unknown;
  port?: unknown;
  bridge?: unknown;
  flow?: unknown;
}

/**
 * Test hooks, mounted only with TEST_HOOKS=true: change the memory datapath behind the host's
 * back, as an admin with ovs-vsctl would, and read it. Never enable in production.
 */
@Controller('testing')
export class DriftHookController {
  constructor(@Inject(MemberHostService) private readonly host: MemberHostService) {}

  @Get('datapath')
  datapath() {
    return this.host.driver.readActual();
  }

  /** The address announcements the memory datapath sent, oldest first. */
  @Get('announcements')
  announcements() {
    const { driver } = this.host;
    if (!(driver instanceof MemoryVSwitchDriver)) {
      throw new BadRequestException('only the memory driver records announcements');
    }
    return driver.announcements;
  }

  @Post('drift')
  @HttpCode(204)
  drift(@Body() body: DriftRequest): void {
    const { driver } = this.host;
    if (!(driver instanceof MemoryVSwitchDriver)) {
      throw new BadRequestException('drift can only be injected into the memory driver');
    }
    const name = typeof body.port === 'string' ? body.port : undefined;
    if (body.action === 'deletePort' && name) driver.drift.deletePort(name);
    else if (body.action === 'clearAcls' && name) driver.drift.clearAcls(name);
    else if (body.action === 'deleteBridge' && typeof body.bridge === 'string') {
      driver.drift.deleteBridge(body.bridge);
    } else if (body.action === 'addFlow' && typeof body.bridge === 'string') {
      driver.drift.addFlow(
        body.bridge,
        typeof body.flow === 'string' ? body.flow : 'actions=NORMAL',
      );
    } else if (body.action === 'addPort' && typeof body.bridge === 'string' && name) {
      driver.drift.addPort(body.bridge, name);
    } else {
      throw new BadRequestException(
        'expected { action: deletePort|clearAcls, port }, { action: deleteBridge, bridge }, ' +
          '{ action: addFlow, bridge, flow } or { action: addPort, bridge, port }',
      );
    }
  }

  /** Counts traffic on a port of the memory datapath, as packets through it would. */
  @Post('traffic')
  @HttpCode(204)
  traffic(@Body() body: Record<string, unknown>): void {
    const { driver } = this.host;
    if (!(driver instanceof MemoryVSwitchDriver)) {
      throw new BadRequestException('traffic can only be counted on the memory driver');
    }
    const counts = ['rxPackets', 'txPackets', 'rxBytes', 'txBytes'] as const;
    const valid = (value: unknown) => Number.isSafeInteger(value) && (value as number) >= 0;
    if (
      typeof body.port !== 'string' ||
      !counts.every((k) => body[k] === undefined || valid(body[k]))
    ) {
      throw new BadRequestException(
        'expected { port, rxPackets?, txPackets?, rxBytes?, txBytes? } (integers ≥ 0)',
      );
    }
    driver.recordTraffic(
      body.port,
      Object.fromEntries(counts.map((k) => [k, (body[k] as number | undefined) ?? 0])),
    );
  }

  /** Runs the drift check now instead of waiting for the timer. */
  @Post('drift-check')
  driftCheck() {
    return this.host.agent.checkDrift();
  }
}
