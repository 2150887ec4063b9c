// autocannon ships no types and @types/autocannon is not a dependency: just the
// surface the benchmarks use (autocannon 9, see its README "API").
declare module "autocannon" {
  export type Request = {
    method?: string;
    path?: string;
    headers?: Record<string, string>;
    body?: string;
    /** Called before every request when present; returns the request to send. */
    setupRequest?: (request: Request, context: Record<string, unknown>) => Request;
    /** Called with every response to this request; `context` is the one setupRequest saw. */
    onResponse?: (status: number, body: string, context: Record<string, unknown>) => void;
  };

  export type Options = {
    url: string;
    connections?: number;
    /** Seconds. */
    duration?: number;
    timeout?: number;
    requests?: Request[];
    /** Responses whose body fails this count as `mismatches`. */
    verifyBody?: (body: string) => boolean;
  };

  export type Histogram = {
    average: number;
    mean: number;
    stddev: number;
    min: number;
    max: number;
    p50: number;
    p90: number;
    p99: number;
  };

  export type Result = {
    /** Milliseconds. */
    latency: Histogram;
    /** Requests per second, sampled once a second. */
    requests: Histogram & { total: number; sent: number };
    /** Seconds. */
    duration: number;
    errors: number;
    timeouts: number;
    mismatches: number;
    non2xx: number;
    "2xx": number;
  };

  export type Instance = Promise<Result> & { stop(): void };

  export default function autocannon(options: Options): Instance;
}
