//! Everything that touches the outside world: files, the clock, the terminal, the network.

pub mod audit;
pub mod auth;
pub mod batch;
pub mod cli;
pub mod cli_error;
pub mod commands;
pub mod csv_in;
pub mod diff;
pub mod lint;
pub mod loader;
pub mod report;
pub mod rules_arg;
pub mod server;
pub mod store;
pub mod synth;
pub mod version;

use crate::date::Date;
use std::time::{SystemTime, UNIX_EPOCH};

/// Today's civil date in Belgium (Europe/Brussels), read once at the edge.
///
/// Belgium is UTC+1, and UTC+2 from the last Sunday of March 01:00 UTC to the last Sunday of
/// October 01:00 UTC (the EU rule), so a version that takes effect on a date does so at
/// Belgian midnight, not at UTC midnight.
pub fn today() -> Date {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    brussels_date(i64::try_from(secs).unwrap_or(0))
}

/// The Europe/Brussels date at a Unix time (seconds).
pub fn brussels_date(unix_secs: i64) -> Date {
    let utc_day = unix_secs.div_euclid(86_400);
    let year = Date::from_unix_days(utc_day).map_or(1970, |d| d.year());
    let summer_start = last_sunday(year, 3) * 86_400 + 3_600;
    let summer_end = last_sunday(year, 10) * 86_400 + 3_600;
    let offset = if (summer_start..summer_end).contains(&unix_secs) {
        7_200
    } else {
        3_600
    };
    Date::from_unix_days((unix_secs + offset).div_euclid(86_400)).unwrap_or(Date::MIN)
}

/// What a path that is not a regular file is, for errors that refuse it before it is opened:
/// opening a FIFO waits for a writer that may never come, and `/dev/zero` never ends.
pub fn special_kind(file_type: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if file_type.is_char_device() {
            return "a character device";
        }
        if file_type.is_block_device() {
            return "a block device";
        }
        if file_type.is_socket() {
            return "a socket";
        }
    }
    if file_type.is_dir() {
        "a directory"
    } else {
        "a special file"
    }
}

/// Unix day of the last Sunday of a month with 31 days (March, October).
fn last_sunday(year: u16, month: u8) -> i64 {
    let last = Date::new(year, month, 31).map_or(0, Date::unix_days);
    // 1970-01-01 was a Thursday: weekday 0 = Sunday is (days + 4) mod 7.
    last - (last + 4).rem_euclid(7)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brussels_midnight_is_not_utc_midnight() {
        // 2025-01-01T00:30+01:00 is 2024-12-31T23:30Z.
        let d = Date::parse("2025-01-01").map(Date::unix_days).unwrap() * 86_400 - 1_800;
        assert_eq!(brussels_date(d).to_string(), "2025-01-01");
        // 2026-07-01T23:30Z is already 2 July in Brussels (UTC+2).
        let d =
            Date::parse("2026-07-01").map(Date::unix_days).unwrap() * 86_400 + 23 * 3_600 + 1_800;
        assert_eq!(brussels_date(d).to_string(), "2026-07-02");
        // …but 2026-11-22T22:30Z is still 22 November (UTC+1).
        let d =
            Date::parse("2026-11-22").map(Date::unix_days).unwrap() * 86_400 + 22 * 3_600 + 1_800;
        assert_eq!(brussels_date(d).to_string(), "2026-11-22");
        assert_eq!(
            last_sunday(2026, 3),
            Date::parse("2026-03-29").unwrap().unix_days()
        );
        assert_eq!(
            last_sunday(2026, 10),
            Date::parse("2026-10-25").unwrap().unix_days()
        );
    }
}
