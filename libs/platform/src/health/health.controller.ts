import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { Public } from '../auth/auth.decorators.js';
import { HealthRegistry, type HealthReport } from './health.registry.js';

/** Open even where the API takes bearer tokens: orchestrators probe it without one. */
@Controller('health')
@Public()
export class HealthController {
  constructor(private readonly registry: HealthRegistry) {}

  /** Readiness: 200 when every registered check passes, else 503 with the same report. */
  @Get()
  async ready(): Promise<HealthReport> {
    const report = await this.registry.run();
    if (report.status !== 'ok') throw new ServiceUnavailableException(report);
    return report;
  }

  /** Liveness: answers while the event loop does; restarting never fixes a down database. */
  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }
}
