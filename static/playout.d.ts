/** Types of static/playout.js, for Deno's check of bench/page_playout.ts. */
export declare const slackMs: number;
export declare const windowMs: number;
export declare class PlayoutRules {
  constructor(levels: { start: number; floor: number; max?: number; perMs: number });
  canStart(held: number): boolean;
  overflows(held: number): boolean;
  restart(at: number): void;
  excess(held: number, at: number): number;
}
