import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** One Prometheus registry per app instance (several can live in one test process). */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly httpRequests = new Counter({
    name: 'gateway_http_requests_total',
    help: 'HTTP requests served, by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });

  readonly httpDuration = new Histogram({
    name: 'gateway_http_request_duration_seconds',
    help: 'HTTP request latency, by method and route',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  readonly eventsPublished = new Counter({
    name: 'gateway_events_published_total',
    help: 'Events committed to the durable event log by this instance',
    registers: [this.registry],
  });

  readonly eventsDelivered = new Counter({
    name: 'gateway_events_delivered_total',
    help: 'Event frames sent to WebSocket clients',
    registers: [this.registry],
  });

  readonly socketsOpen = new Gauge({
    name: 'gateway_ws_open_sockets',
    help: 'Open WebSocket connections on /v1/events',
    registers: [this.registry],
  });

  readonly socketsDropped = new Counter({
    name: 'gateway_ws_dropped_total',
    help: 'WebSocket connections closed by the gateway, by reason',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  readonly providerRequests = new Counter({
    name: 'gateway_provider_requests_total',
    help: 'Requests to providers\' APIs, by provider, operation (method and path, ids folded) and outcome (ok, 4xx, 5xx, network)',
    labelNames: ['provider', 'operation', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly providerDuration = new Histogram({
    name: 'gateway_provider_request_duration_seconds',
    help: 'Latency of requests to providers\' APIs, by provider and operation',
    labelNames: ['provider', 'operation'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** A ProviderCallObserver (providers/provider-calls.ts). */
  readonly observeProviderCall = (provider: string, operation: string, outcome: string, seconds: number): void => {
    this.providerRequests.inc({ provider, operation, outcome });
    this.providerDuration.observe({ provider, operation }, seconds);
  };

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    this.httpRequests.inc({ method, route, status: String(status) });
    this.httpDuration.observe({ method, route }, seconds);
  }
}
