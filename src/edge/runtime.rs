//! What only the Workers runtime provides: the clock and time-zone data (through `Intl`).

use std::cell::RefCell;

use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use blog_core::dates::{self, Zone};

/// Seconds since the Unix epoch.
pub fn now() -> i64 {
    (js_sys::Date::now() / 1000.0) as i64
}

/// A time zone answered by the runtime's `Intl.DateTimeFormat`, which carries the full tz
/// database at no cost to our wasm size.
pub struct IntlZone {
    format: Option<js_sys::Intl::DateTimeFormat>,
    /// Offsets at the start and end of each UTC day asked about: a page's two hundred comments
    /// from a few days cost a few calls into `Intl`, not four hundred. A page asks about a few
    /// days, so a list searched in order does (and links no hash table into the reader).
    days: RefCell<Vec<(i64, (i32, i32))>>,
}

impl IntlZone {
    /// The named zone; an unknown name falls back to UTC (and says so in the log).
    pub fn new(name: &str) -> Self {
        let format = Self::format_for(name);
        if format.is_none() {
            worker::console_error!("unknown TIME_ZONE {name:?}; showing times in UTC");
        }
        IntlZone {
            format,
            days: RefCell::new(Vec::new()),
        }
    }

    fn format_for(name: &str) -> Option<js_sys::Intl::DateTimeFormat> {
        let options = Object::new();
        Reflect::set(&options, &"timeZone".into(), &name.into()).ok()?;
        Reflect::set(&options, &"timeZoneName".into(), &"longOffset".into()).ok()?;
        let intl = Reflect::get(&js_sys::global(), &"Intl".into()).ok()?;
        let constructor: Function = Reflect::get(&intl, &"DateTimeFormat".into())
            .ok()?
            .dyn_into()
            .ok()?;
        let args = Array::of2(&JsValue::from_str("en-US"), &options);
        // `construct` catches the RangeError an unknown zone throws.
        Reflect::construct(&constructor, &args)
            .ok()
            .map(JsCast::unchecked_into)
    }
}

/// Whether the runtime's time-zone data knows `name` (e.g. `Europe/London`).
pub fn knows_time_zone(name: &str) -> bool {
    IntlZone::format_for(name).is_some()
}

impl IntlZone {
    /// Asks `Intl` for the offset at one instant.
    fn ask(&self, unix: i64) -> i32 {
        let Some(format) = &self.format else {
            return 0;
        };
        let date = js_sys::Date::new(&JsValue::from_f64(unix as f64 * 1000.0));
        let parts = format.format_to_parts(&date);
        for part in parts.iter() {
            let kind = Reflect::get(&part, &"type".into())
                .ok()
                .and_then(|v| v.as_string());
            if kind.as_deref() == Some("timeZoneName") {
                let value = Reflect::get(&part, &"value".into())
                    .ok()
                    .and_then(|v| v.as_string());
                return value
                    .as_deref()
                    .and_then(dates::parse_gmt_offset)
                    .unwrap_or(0);
            }
        }
        0
    }
}

impl Zone for IntlZone {
    fn offset_at(&self, unix: i64) -> i32 {
        if self.format.is_none() {
            return 0;
        }
        let day = unix.div_euclid(86_400);
        let known = self
            .days
            .borrow()
            .iter()
            .find(|(d, _)| *d == day)
            .map(|(_, span)| *span);
        let (start, end) = known.unwrap_or_else(|| {
            let span = (self.ask(day * 86_400), self.ask(day * 86_400 + 86_399));
            self.days.borrow_mut().push((day, span));
            span
        });
        // Equal ends: no transition that day (zones change at most once a day). Otherwise ask.
        if start == end {
            start
        } else {
            self.ask(unix)
        }
    }
}
