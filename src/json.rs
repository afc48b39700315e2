//! A borrowed JSON tree for one application: keys and strings point into the request text, so
//! reading an application allocates only for lists and objects, not for every key and value
//! (serde_json's `Value` cost a fifth of a decision to build and drop).
//!
//! Numbers keep their source text (serde_json's `arbitrary_precision`): money is never a float.
//! Objects iterate their keys sorted; a key written twice in one object is an error naming it.

use serde::de::{self, Deserialize, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

/// serde_json's private marker for a number under `arbitrary_precision`.
const NUMBER_TOKEN: &str = "$serde_json::private::Number";

/// One JSON value, borrowing from the text it was read from.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Json<'a> {
    /// `null`.
    #[default]
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// The number exactly as written: `24999.999`, `36`, `1e3`.
    Number(Cow<'a, str>),
    /// A string (borrowed unless it had escapes).
    String(Cow<'a, str>),
    /// An array.
    Array(Vec<Json<'a>>),
    /// An object.
    Object(Object<'a>),
}

/// An object's members, sorted by key, without duplicates.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Object<'a>(Vec<(Cow<'a, str>, Json<'a>)>);

impl<'a> Object<'a> {
    /// The members sorted by key; a key written twice is an error naming it (serde_json's own
    /// map would keep the last silently, so an application could say two things at once).
    fn from_members<E: de::Error>(
        mut members: Vec<(Cow<'a, str>, Json<'a>)>,
    ) -> Result<Object<'a>, E> {
        members.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        let twice = members
            .iter()
            .zip(members.iter().skip(1))
            .find(|(a, b)| a.0 == b.0);
        match twice {
            Some((member, _)) => Err(E::custom(format_args!("duplicate key `{}`", member.0))),
            None => Ok(Object(members)),
        }
    }

    /// The value of a key.
    pub fn get(&self, key: &str) -> Option<&Json<'a>> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// The keys, sorted.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(k, _)| k.as_ref())
    }

    /// The members, sorted by key.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Json<'a>)> {
        self.0.iter().map(|(k, v)| (k.as_ref(), v))
    }
}

impl<'a> Json<'a> {
    /// Borrows a `serde_json::Value` (the typed API's input) as the same tree.
    pub fn from_value(value: &'a serde_json::Value) -> Json<'a> {
        match value {
            serde_json::Value::Null => Json::Null,
            serde_json::Value::Bool(b) => Json::Bool(*b),
            serde_json::Value::Number(n) => Json::Number(Cow::Borrowed(n.as_str())),
            serde_json::Value::String(s) => Json::String(Cow::Borrowed(s)),
            serde_json::Value::Array(items) => {
                Json::Array(items.iter().map(Json::from_value).collect())
            }
            serde_json::Value::Object(map) => Json::Object(Object(
                map.iter()
                    .map(|(k, v)| (Cow::Borrowed(k.as_str()), Json::from_value(v)))
                    .collect(),
            )),
        }
    }
}

/// A key or string, borrowed when the text has no escapes.
struct Text<'a>(Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Text<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V(PhantomData))
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Json<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(JsonVisitor(PhantomData))
    }
}

struct JsonVisitor<'a>(PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for JsonVisitor<'a> {
    type Value = Json<'a>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Json::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Json::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        Json::deserialize(d)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Json::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Json::Number(Cow::Owned(v.to_string())))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Json::Number(Cow::Owned(v.to_string())))
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Json::String(Cow::Borrowed(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Json::String(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Json::String(Cow::Owned(v)))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(item) = seq.next_element::<Json<'a>>()? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let Some(first) = map.next_key::<Text<'a>>()? else {
            return Ok(Json::Object(Object::default()));
        };
        if first.0 == NUMBER_TOKEN {
            let text: Text<'a> = map.next_value()?;
            return Ok(Json::Number(text.0));
        }
        let mut members = Vec::with_capacity(16);
        members.push((first.0, map.next_value::<Json<'a>>()?));
        while let Some(key) = map.next_key::<Text<'a>>()? {
            members.push((key.0, map.next_value::<Json<'a>>()?));
        }
        Ok(Json::Object(Object::from_members(members)?))
    }
}

/// How [`read_skipping_unknown`] reads a member of the application object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Member {
    /// A declared field: read in full, exactly as [`Json`]'s own reading does.
    Field,
    /// A declared list of funding purposes: each entry's own unknown members are skipped too.
    Purposes,
    /// Not declared: its value is skipped unread and stands as `null` (validation only warns
    /// about the key).
    Unknown,
}

/// Reads an application with the values of its unknown members skipped unread: for a request
/// that a full read refused. serde_json's skipping checks the syntax but neither decodes
/// strings (so a lone surrogate escape passes) nor counts nesting (so 1,000 levels pass);
/// known fields are read exactly as a full read reads them, nesting limit included.
///
/// `enclosed`: the text is `[application]`, standing for an application inside a request
/// object, so that its fields meet serde_json's nesting limit at the same depth as there.
pub(crate) fn read_skipping_unknown<'a>(
    text: &'a str,
    enclosed: bool,
    member: &dyn Fn(&str) -> Member,
) -> Result<Json<'a>, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    let seed = ApplicationSeed {
        member,
        _text: PhantomData,
    };
    let value = if enclosed {
        de.deserialize_seq(OnlyItem(seed))?
    } else {
        seed.deserialize(&mut de)?
    };
    de.end()?;
    Ok(value)
}

/// A one-item list's item, read with a seed.
struct OnlyItem<S>(S);

impl<'de, S: DeserializeSeed<'de>> Visitor<'de> for OnlyItem<S> {
    type Value = S::Value;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of one value")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let item = seq
            .next_element_seed(self.0)?
            .ok_or_else(|| de::Error::invalid_length(0, &"one value"))?;
        match seq.next_element::<de::IgnoredAny>()? {
            None => Ok(item),
            Some(_) => Err(de::Error::invalid_length(2, &"one value")),
        }
    }
}

/// Every visit but the one a reader handles itself goes to [`JsonVisitor`].
macro_rules! like_json_visitor {
    ($($method:ident),*) => {
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("any JSON value")
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            JsonVisitor(PhantomData).visit_unit()
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            JsonVisitor(PhantomData).visit_none()
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            JsonVisitor(PhantomData).visit_some(d)
        }
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
            JsonVisitor(PhantomData).visit_bool(v)
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            JsonVisitor(PhantomData).visit_i64(v)
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            JsonVisitor(PhantomData).visit_u64(v)
        }
        fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
            JsonVisitor(PhantomData).visit_borrowed_str(v)
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            JsonVisitor(PhantomData).visit_str(v)
        }
        fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
            JsonVisitor(PhantomData).visit_string(v)
        }
        $(like_json_visitor!(@ $method);)*
    };
    (@ visit_seq) => {
        fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
            JsonVisitor(PhantomData).visit_seq(seq)
        }
    };
    (@ visit_map) => {
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
            JsonVisitor(PhantomData).visit_map(map)
        }
    };
}

/// An object's members, each value read as `read` says for its key; or a number, which
/// serde_json's `arbitrary_precision` hands over as a one-member map.
fn members<'de: 'a, 'a, A: MapAccess<'de>>(
    mut map: A,
    read: impl Fn(&str, &mut A) -> Result<Json<'a>, A::Error>,
) -> Result<Json<'a>, A::Error> {
    let mut members = Vec::with_capacity(16);
    while let Some(key) = map.next_key::<Text<'a>>()? {
        if members.is_empty() && key.0 == NUMBER_TOKEN {
            let text: Text<'a> = map.next_value()?;
            return Ok(Json::Number(text.0));
        }
        let value = read(&key.0, &mut map)?;
        members.push((key.0, value));
    }
    Ok(Json::Object(Object::from_members(members)?))
}

fn skip<'de, 'a, A: MapAccess<'de>>(map: &mut A) -> Result<Json<'a>, A::Error> {
    map.next_value::<de::IgnoredAny>()?;
    Ok(Json::Null)
}

struct ApplicationSeed<'m, 'a> {
    member: &'m dyn Fn(&str) -> Member,
    _text: PhantomData<&'a ()>,
}

impl<'de: 'a, 'a> DeserializeSeed<'de> for ApplicationSeed<'_, 'a> {
    type Value = Json<'a>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Json<'a>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de: 'a, 'a> Visitor<'de> for ApplicationSeed<'_, 'a> {
    type Value = Json<'a>;
    like_json_visitor!(visit_seq);
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        members(map, |key, map| match (self.member)(key) {
            Member::Field => map.next_value::<Json<'a>>(),
            Member::Purposes => map.next_value_seed(PurposesSeed(PhantomData)),
            Member::Unknown => skip(map),
        })
    }
}

struct PurposesSeed<'a>(PhantomData<&'a ()>);

impl<'de: 'a, 'a> DeserializeSeed<'de> for PurposesSeed<'a> {
    type Value = Json<'a>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Json<'a>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de: 'a, 'a> Visitor<'de> for PurposesSeed<'a> {
    type Value = Json<'a>;
    like_json_visitor!(visit_map);
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(item) = seq.next_element_seed(PurposeSeed(PhantomData))? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }
}

/// One funding purpose: only `category` and `amount_eur` are read (validation's keys).
struct PurposeSeed<'a>(PhantomData<&'a ()>);

impl<'de: 'a, 'a> DeserializeSeed<'de> for PurposeSeed<'a> {
    type Value = Json<'a>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Json<'a>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de: 'a, 'a> Visitor<'de> for PurposeSeed<'a> {
    type Value = Json<'a>;
    like_json_visitor!(visit_seq);
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        members(map, |key, map| match key {
            "category" | "amount_eur" => map.next_value::<Json<'a>>(),
            _ => skip(map),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn borrows_and_keeps_numbers_as_written() {
        let text = r#"{"b": 24999.999, "a": "x", "c": [1, true, null, {"k": "é\n"}]}"#;
        let j: Json<'_> = serde_json::from_str(text).unwrap();
        let Json::Object(o) = &j else { panic!("{j:?}") };
        assert_eq!(o.keys().collect::<Vec<_>>(), ["a", "b", "c"]);
        assert_eq!(o.get("a"), Some(&Json::String(Cow::Borrowed("x"))));
        assert_eq!(o.get("b"), Some(&Json::Number(Cow::Borrowed("24999.999"))));
        // The same tree as through serde_json's Value.
        let v: serde_json::Value = serde_json::from_str(text).unwrap();
        assert_eq!(Json::from_value(&v), j);
        // A key written twice, at any depth, is an error naming it.
        let twice = r#"{"c": [{"k": 1, "k": 2}]}"#;
        let e = serde_json::from_str::<Json<'_>>(twice).unwrap_err();
        assert!(e.is_data(), "{e}");
        assert_eq!(e.to_string(), "duplicate key `k` at line 1 column 23");
    }

    #[test]
    fn skipping_unknown_members_reads_known_ones_as_a_full_read() {
        let member = |key: &str| match key {
            "a" => Member::Field,
            "p" => Member::Purposes,
            _ => Member::Unknown,
        };
        let deep = format!("{}{}", "[".repeat(1_000), "]".repeat(1_000));
        let text = format!(
            r#"{{"a": [24999.999, "é"], "x": "\ud800", "y": {deep}, "p": [{{"category": "c", "note": "\udc00", "amount_eur": 1e3}}, 7]}}"#
        );
        let lenient = read_skipping_unknown(&text, false, &member).unwrap();
        let full: Json<'_> = serde_json::from_str(
            r#"{"a": [24999.999, "é"], "x": null, "y": null, "p": [{"category": "c", "note": null, "amount_eur": 1e3}, 7]}"#,
        )
        .unwrap();
        assert_eq!(lenient, full);
        // Enclosed: the text is `[application]`.
        let enclosed = format!("[{text}]");
        assert_eq!(
            read_skipping_unknown(&enclosed, true, &member).unwrap(),
            full
        );
        // Known fields still fail as a full read fails.
        assert!(read_skipping_unknown(r#"{"a": "\ud800"}"#, false, &member).is_err());
        assert!(read_skipping_unknown(r#"{"x": 1} 2"#, false, &member).is_err());
        assert!(read_skipping_unknown(r#"[{}, {}]"#, true, &member).is_err());
    }
}
