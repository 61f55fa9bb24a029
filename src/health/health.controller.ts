import { Controller, Get, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Public } from '../common/auth/auth.decorators';
import { HealthService, type Readiness } from './health.service';

@Controller('health')
@Public()
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** 200 when every check is up; 503 naming the failed checks otherwise. */
  @Get('ready')
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<Readiness & { status: string }> {
    const readiness = await this.health.readiness();
    void reply.status(readiness.ready ? 200 : 503);
    return { status: readiness.ready ? 'ok' : 'unavailable', ...readiness };
  }
}
