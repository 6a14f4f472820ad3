/** Animation phase: eases each expression weight toward its target at that channel's own pace. */
import { query } from 'bitecs';
import { EXPRESSION_CHANNEL_COUNT } from '../../protocol/conditioning.js';
import { Expression, ExpressionTarget } from '../../engine/components.js';
import type { PersonaWorld } from '../../engine/world.js';

export const blendExpressionTowardTarget = (world: PersonaWorld): void => {
  const dt = world.time.dt;
  for (const eid of query(world, [Expression, ExpressionTarget])) {
    const base = eid * EXPRESSION_CHANNEL_COUNT;
    for (let c = base; c < base + EXPRESSION_CHANNEL_COUNT; c++) {
      // Exponential approach: ~95% of the way after smoothMs.
      const k = 1 - Math.exp((-3 * dt) / Math.max(1, ExpressionTarget.smoothMs[c]!));
      Expression.weight[c] = Expression.weight[c]! + (ExpressionTarget.weight[c]! - Expression.weight[c]!) * k;
    }
  }
};
