/**
 * Static facts about AWS regions, so configuration checks and synthesis never call an AWS API
 * (DESIGN rule 6). Availability-zone letters are the ones AWS lists for accounts in general;
 * a region missing here is still accepted, with the AZ letter checked only for shape.
 */
export const REGION_AZ_LETTERS: Readonly<Record<string, string>> = {
  "us-east-1": "abcdef",
  "us-east-2": "abc",
  "us-west-1": "abc",
  "us-west-2": "abcd",
  "ca-central-1": "abd",
  "eu-west-1": "abc",
  "eu-west-2": "abc",
  "eu-west-3": "abc",
  "eu-central-1": "abc",
  "eu-central-2": "abc",
  "eu-north-1": "abc",
  "eu-south-1": "abc",
  "ap-northeast-1": "acd",
  "ap-northeast-2": "abcd",
  "ap-northeast-3": "abc",
  "ap-southeast-1": "abc",
  "ap-southeast-2": "abc",
  "ap-south-1": "abc",
  "sa-east-1": "abc",
};

export const REGION_RE = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;

/** AZ names of a region that are known to exist, or undefined when the region is not in the table. */
export function knownAzs(region: string): string[] | undefined {
  const letters = REGION_AZ_LETTERS[region];
  return letters ? [...letters].map((l) => `${region}${l}`) : undefined;
}

/** The AWS partition of a region, for ARNs built without a data source. */
export function partitionOf(region: string): string {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.includes("-gov-")) return "aws-us-gov";
  return "aws";
}
