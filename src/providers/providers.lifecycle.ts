import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { HealthService } from '../health/health.service';
import { ProviderRegistry } from './provider.registry';
import { SmsStatusReceiver } from './sms-provider.port';
import { CallCallbackReceiver } from './voice-provider.port';

/**
 * Starts and stops the configured adapters: connects those that report by themselves (SIP's
 * signalling, the simulator) to the services that apply reports, registers each real voice
 * provider's readiness check (`voice:<name>`), and closes every adapter on shutdown.
 */
@Injectable()
export class ProvidersLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    private readonly registry: ProviderRegistry,
    private readonly health: HealthService,
    private readonly calls: CallCallbackReceiver,
    private readonly messages: SmsStatusReceiver,
  ) {}

  onModuleInit(): void {
    for (const provider of this.registry.smsProviders()) {
      provider.connect?.((report) => this.messages.applyStatus(report).then(() => undefined));
    }
    for (const provider of this.registry.voiceProviders()) {
      provider.connect((report) => this.calls.report(report).then(() => undefined));
    }
    for (const [name, check] of this.registry.readinessChecks()) this.health.register(name, check);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([
      ...this.registry.smsProviders().map(async (provider) => provider.close?.()),
      ...this.registry.voiceProviders().map((provider) => provider.close()),
    ]);
  }
}
