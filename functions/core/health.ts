export interface ServiceHealth {
  readonly status: 'ok' | 'down';
  readonly endpoint: string;
  readonly latencyMs?: number;
  readonly error?: string;
}

/** Port: one probe per backing service. */
export type HealthProbe = Readonly<Record<string, () => Promise<ServiceHealth>>>;

export interface Health {
  readonly status: 'ok' | 'degraded';
  readonly services: Record<string, ServiceHealth>;
}

/** Runs every probe concurrently; the system is degraded if any service is down. */
export const checkHealth = async (probe: HealthProbe): Promise<Health> => {
  const entries = await Promise.all(
    Object.entries(probe).map(async ([name, check]) => [name, await check()] as const),
  );
  const services = Object.fromEntries(entries);
  const status = entries.every(([, s]) => s.status === 'ok') ? 'ok' : 'degraded';
  return { status, services };
};
