//! The reader's time zone.

use chrono_tz::Tz;

/// This computer's time zone (IANA name from the system; on Windows mapped
/// from the Windows zone by `iana-time-zone`), UTC if it cannot be told.
pub fn local_zone() -> Tz {
    if let Ok(tz) = std::env::var("TZ") {
        if let Ok(z) = tz.trim_start_matches(':').parse::<Tz>() {
            return z;
        }
    }
    iana_time_zone::get_timezone()
        .ok()
        .and_then(|name| name.parse::<Tz>().ok())
        .unwrap_or(Tz::UTC)
}
