/** Dates and times as people in China read them: Asia/Shanghai. */
export const formatDateTime = (iso: string | null | undefined, language: string) =>
  iso
    ? new Intl.DateTimeFormat(language === 'zh' ? 'zh-CN' : 'en-GB', {
        timeZone: 'Asia/Shanghai',
        dateStyle: 'medium',
        timeStyle: 'short',
      }).format(new Date(iso))
    : '—';

/** Today in China, YYYY-MM-DD. */
export const chinaToday = () => new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);

export const localized = (text: { zh: string; en: string } | string | undefined, language: string) =>
  typeof text === 'string' ? text : text ? (language === 'zh' ? text.zh : text.en) : '';

/** Tag colours with WCAG AA contrast (Ant Design's preset green and red text fall under 4.5:1). */
export const goodTag = { color: '#135200', background: '#f6ffed', borderColor: '#b7eb8f' } as const;
export const badTag = { color: '#a8071a', background: '#fff1f0', borderColor: '#ffa39e' } as const;
