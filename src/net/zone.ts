// Zone → region by naming convention. A MeshTopology may state a zone's region explicitly; that
// statement wins (see TopologyView.regionOfZone). This module only knows the conventions.
//
// Forms recognised (all lower-case):
//   <region>-<letter>        Alibaba Cloud `cn-hangzhou-j` → `cn-hangzhou`, GCP `us-central1-a` → `us-central1`
//   <region><letter>         region ending in a digit: AWS `us-east-1a`, Alibaba `ap-southeast-1a`,
//                            `cn-shenzhen-finance-1a` → `cn-shenzhen-finance-1`
//   <region>-<metro>-<n><l>  AWS Local Zones `us-west-2-lax-1a` → `us-west-2`
//   <region>-<digit>         Azure `eastus-1` → `eastus` (Azure region names have no hyphen)

// A region is at least two hyphen-separated tokens (`cn-hangzhou`, `us-central1`, `ap-southeast-1`).
const REGION = '[a-z]{2,}(?:-[a-z0-9]+)+';

const AWS_LOCAL = /^([a-z]{2}(?:-gov)?-[a-z]+-\d+)-[a-z]{3}-\d+[a-z]$/;
const DASH_LETTER = new RegExp(`^(${REGION})-[a-z]$`);
const DIGIT_LETTER = /^([a-z]{2,}(?:-[a-z0-9]+)*-[a-z0-9]*\d)[a-z]$/;
const AZURE = /^([a-z][a-z0-9]*)-(\d)$/;

/** The region a zone belongs to by its cloud's naming convention, or undefined when no convention applies. */
export function regionOfZone(zone: string): string | undefined {
  const m = AWS_LOCAL.exec(zone) ?? DASH_LETTER.exec(zone) ?? DIGIT_LETTER.exec(zone) ?? AZURE.exec(zone);
  return m?.[1];
}

/** Whether `zone` has one of the recognised zone forms (syntax only: it says nothing about existence). */
export function isZoneId(zone: string): boolean {
  return regionOfZone(zone) !== undefined;
}

/** Region names: at least two tokens, lower-case, e.g. `cn-hangzhou`, `us-central1`, `ap-southeast-1`, or an Azure-style single token. */
export function isRegionId(region: string): boolean {
  return new RegExp(`^${REGION}$`).test(region) || /^[a-z][a-z0-9]*$/.test(region);
}
