/**
 * @module sim/explore
 * Enumerates every load-balancing choice of a deterministic simulation: the simulation is
 * re-run once per leaf of the choice tree (a `statistic --mode random` rule is a two-way
 * choice point), so no state needs cloning and each path carries its exact probability.
 */

export interface ChoiceOption {
  label: string;
  p: number;
}

export type Choose = (options: ChoiceOption[]) => number;

export interface Explored<R> {
  result: R;
  probability: number;
  labels: string[];
}

export function explore<R>(run: (choose: Choose) => R, maxLeaves = 100_000): Explored<R>[] {
  const out: Explored<R>[] = [];
  const stack: number[][] = [[]];
  while (stack.length > 0 && out.length < maxLeaves) {
    const prefix = stack.pop()!;
    let depth = 0;
    let prob = 1;
    const labels: string[] = [];
    const fresh: { options: ChoiceOption[] }[] = [];
    const choose: Choose = (options) => {
      let i: number;
      if (depth < prefix.length) i = prefix[depth]!;
      else {
        // first option with non-zero probability
        i = options.findIndex((o) => o.p > 0);
        if (i < 0) i = 0;
        fresh.push({ options });
      }
      prob *= options[i]!.p;
      labels.push(options[i]!.label);
      depth++;
      return i;
    };
    const result = run(choose);
    const base = prefix.slice();
    for (const pt of fresh) {
      const taken = pt.options.findIndex((o) => o.p > 0);
      for (let j = pt.options.length - 1; j >= 0; j--) {
        if (j !== Math.max(taken, 0) && pt.options[j]!.p > 0) stack.push([...base, j]);
      }
      base.push(Math.max(taken, 0));
    }
    if (prob > 0) out.push({ result, probability: prob, labels });
  }
  return out;
}
