/** What the portal reads from `/config.json` (written at deploy in AWS, served by the local cloud locally). */
export type PortalConfig = {
  apiUrl: string;
  auth: { mode: 'local' } | { mode: 'cognito'; domain: string; clientId: string; redirectUri: string };
};

let loaded: PortalConfig | undefined;

export const loadConfig = async (): Promise<PortalConfig> => {
  const response = await fetch('/config.json', { cache: 'no-store' });
  if (!response.ok) throw new Error(`/config.json answered ${response.status}`);
  loaded = (await response.json()) as PortalConfig;
  return loaded;
};

export const config = (): PortalConfig => {
  if (!loaded) throw new Error('config.json is not loaded yet');
  return loaded;
};
