import {
  Body,
  Controller,
  HttpCode,
  HttpException,
  Inject,
  Param,
  Post,
  Req,
} from '@nestjs/common';
import { LIBVIRT_HOOK_OPERATIONS, type LibvirtHookOperation } from '@pool/contracts';
import type { FastifyRequest } from 'fastify';
import { HypervisorHookService } from './hypervisor-hook.service.js';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

const isOperation = (value: string): value is LibvirtHookOperation =>
  (LIBVIRT_HOOK_OPERATIONS as readonly string[]).includes(value);

/**
 * Where deploy/libvirt/hooks/qemu calls this host's member host: `POST
 * /hypervisor/libvirt/qemu/<operation>/<sub-operation>/<extra>` with the domain XML libvirt gave
 * it as the body (application/xml). Only from this machine: the commands go out with this host's
 * NATS identity, so whoever reaches this route speaks for the host (even with HOST=0.0.0.0).
 */
@Controller('hypervisor/libvirt')
export class HypervisorHookController {
  constructor(@Inject(HypervisorHookService) private readonly hooks: HypervisorHookService) {}

  @Post('qemu/:operation/:sub/:extra')
  @HttpCode(200)
  qemu(
    @Req() request: FastifyRequest,
    @Param('operation') operation: string,
    @Param('sub') subOperation: string,
    @Param('extra') extra: string,
    @Body() body: unknown,
  ) {
    if (!LOOPBACK.has(request.socket.remoteAddress ?? '')) {
      throw new HttpException(
        {
          statusCode: 403,
          code: 'NOT_LOCAL',
          message: "The hypervisor hook is taken only from this host's loopback address.",
        },
        403,
      );
    }
    if (!isOperation(operation)) {
      throw new HttpException(
        {
          statusCode: 400,
          code: 'UNKNOWN_OPERATION',
          message: `libvirt's qemu hook has no operation ${operation.slice(0, 32)}: one of ${LIBVIRT_HOOK_OPERATIONS.join(', ')}.`,
        },
        400,
      );
    }
    if (typeof body !== 'string') {
      throw new HttpException(
        {
          statusCode: 415,
          code: 'DOMAIN_XML_EXPECTED',
          message: 'The body is the domain XML libvirt gave the hook, as application/xml.',
        },
        415,
      );
    }
    return this.hooks.handle({ operation, subOperation, extra, xml: body });
  }
}
