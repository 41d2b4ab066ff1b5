/**
 * Response bodies the API does not describe in /openapi.json yet (their
 * operations declare no response schema): the shapes the portal relies on.
 * Once the API declares them, `npm run portal:types` puts them in schema.d.ts
 * and these give way to `components`/`operations` types.
 */
export interface Localized {
  zh: string;
  en: string;
}
export interface Page<T> {
  items: T[];
  cursor?: string;
}
export interface Indicator {
  id: string;
  title: Localized;
  weight: number;
  methods: string[];
  evidence: string[];
}
export interface Template {
  id: string;
  version: number;
  title: Localized;
  description?: string;
  indicators: Indicator[];
  phases: { phase: string; days: number }[];
  grading: Record<string, number>;
}
export interface Campaign {
  id: string;
  title: string;
  status: string;
  scope: string;
  templateId: string;
  version: number;
  window: { start: string; end: string };
}
export interface LaunchStatus {
  campaignStatus: string;
  executionStatus: string;
  targets: number | null;
  created: number;
  unassignable: number;
  error?: unknown;
}
export interface RegionFigures {
  code: string;
  name: string;
  targets: number;
  inspections: number;
  byStatus: Record<string, number>;
  coverage: number | null;
  overdue: number;
  overdueByPhase: Record<string, number>;
  escalations: Record<string, number>;
}
export interface Progress {
  campaignId: string;
  region: { code: string; name: string; parents: string[] };
  totals: Omit<RegionFigures, 'code' | 'name'>;
  children: RegionFigures[];
}
export interface Report {
  totals: { reported: number; averageScore: number | null; grades: Record<string, number> };
  ranking: { rank: number; code: string; name: string; averageScore: number | null; reported: number }[];
}
export interface InspectionRow {
  id: string;
  targetId: string;
  targetName: string;
  regionCode: string;
  status: string;
  dueAt: string | null;
  overdue: string[];
  grade: string | null;
  score: number | null;
  version: number;
  campaignId?: string;
  campaignTitle?: string;
}
export interface FindingEntry {
  indicatorId: string;
  method: string;
  score: number;
  comment?: string;
  problems?: { description: string; severity: 'minor' | 'major' | 'critical' }[];
  evidenceIds?: string[];
}
export interface Rectification {
  id: string;
  indicatorId: string;
  problem: string;
  severity: string;
  status: string;
  dueAt?: string;
  plan?: string;
}
export interface Inspection extends InspectionRow {
  template: Template;
  selfAssessment?: { indicators: { indicatorId: string; score: number; statement: string }[] };
  findings?: { indicators: FindingEntry[]; visit?: { date: string; durationMinutes: number } };
  report?: { score: number; grade: string; feedback?: string };
  rectifications?: Rectification[];
  feedback?: { acknowledgedAt?: string };
  campaignId: string;
}
export interface Evidence {
  id: string;
  status: string;
  fileName?: string;
  indicatorId?: string;
  sha256?: string;
  download?: { url: string };
}
export interface Upload {
  id: string;
  upload: { url: string; headers: Record<string, string> } | null;
}
export interface ImportRecord {
  id: string;
  status: string;
  counts: Record<string, number> | null;
  errorReportUrl?: string;
  warnings?: string[];
  error?: string;
}
