/**
 * What a cell's `replica` setting means: copies of a scenario's first cell that `default` and `full`
 * runs add, measured as cells of their own (scenarios/matrix.ts adds them; the analysis and the report
 * read them). Pure.
 */

/** The A/A control: the same settings under a second label, compared like a claim (a scenario's `control`). */
export const CONTROL_REPLICA = 1;
/** The drift reference: the same settings at the start, the middle and the end of the planned rounds. */
export const DRIFT_REPLICA = 2;

/** Whether a cell is a drift reference (never part of a round, a comparison or an adaptive round). */
export function isDriftReference(cell: { settings: { replica?: number | undefined } }): boolean {
  return cell.settings.replica === DRIFT_REPLICA;
}
