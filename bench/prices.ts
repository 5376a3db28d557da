/**
 * AWS list prices used by the cost model: US East (N. Virginia), us-east-1, on-demand, first pricing tier,
 * free tiers ignored. Sources: the AWS pricing pages of Lambda, SQS, DynamoDB and API Gateway
 * (DynamoDB on-demand as cut on 1 Nov 2024).
 */
export const PRICES = {
  region: 'us-east-1 (US East, N. Virginia)',
  /** Lambda, Arm (Graviton), per GB-second of billed duration (1 ms granularity). */
  lambdaArmGbSecond: 0.0000133334,
  /** Lambda, per request (invocation). */
  lambdaRequest: 0.2 / 1e6,
  /** SQS FIFO, per request (each 64 KB chunk of a payload; our messages are < 1 KB). */
  sqsFifoRequest: 0.5 / 1e6,
  /** DynamoDB on-demand, per write request unit (1 KB) and read request unit (4 KB strongly consistent). */
  dynamoWru: 0.625 / 1e6,
  dynamoRru: 0.125 / 1e6,
  /** API Gateway HTTP API, per request (metered in 512 KB increments; first 300 M/month). */
  httpApiRequest: 1.0 / 1e6,
} as const;

/** The price table as BENCHMARKS.md lists it. */
export function priceLines(): string[] {
  return [
    `Lambda (Arm/Graviton): $${PRICES.lambdaArmGbSecond} per GB-s, $0.20 per million requests`,
    'SQS FIFO: $0.50 per million requests (per 64 KB chunk)',
    'DynamoDB on-demand: $0.625 per million WRU, $0.125 per million RRU (strongly consistent read ≤ 4 KB = 1 RRU)',
    'API Gateway HTTP API: $1.00 per million requests (first 300 million a month)',
    'free tiers ignored; CloudWatch Logs, data transfer and the SSM parameter reads (5-minute cache) not counted',
  ];
}
