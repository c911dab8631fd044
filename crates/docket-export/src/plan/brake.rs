//! The brake: a run that would delete more than the allowed share of our
//! items holds those deletions back until the user confirms.

use super::{Brake, Delete, Op, Plan, PlanChoices};

/// A run may always delete this many items; above it the share counts.
pub const BRAKE_FLOOR: usize = 5;

/// Hold back the deletions of `out` when they are more than
/// [`BRAKE_FLOOR`] and more than the choices' share of the `owned` items.
pub(super) fn apply(out: &mut Plan, owned: usize, choices: &PlanChoices) {
    let removing = out
        .ops
        .iter()
        .filter(|o| matches!(o, Op::Delete(d) if d.reason.removes()))
        .count();
    let share = choices.max_delete_share.clamp(0.0, 1.0);
    if !choices.force && removing > BRAKE_FLOOR && removing as f64 > share * owned as f64 {
        let (held, kept): (Vec<Op>, Vec<Op>) = std::mem::take(&mut out.ops)
            .into_iter()
            .partition(|o| matches!(o, Op::Delete(d) if d.reason.removes()));
        out.ops = kept;
        let held: Vec<Delete> = held
            .into_iter()
            .filter_map(|o| match o {
                Op::Delete(d) => Some(d),
                _ => None,
            })
            .collect();
        out.brake = Some(Brake {
            deletes: removing,
            owned,
            max_share: share,
            held,
        });
    }
}
