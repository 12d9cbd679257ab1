import { Controller, Get, Inject } from '@nestjs/common';
import { MemberHostService } from './member-host.service.js';

/** Where this host stands: replica version, what the switch matches, ports, counters. */
@Controller('status')
export class StatusController {
  constructor(@Inject(MemberHostService) private readonly host: MemberHostService) {}

  @Get()
  status() {
    return this.host.status();
  }
}
