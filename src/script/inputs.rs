//! The variables a rule can read: one per declared field, in declaration order, then the
//! engine's derived inputs; and which application fields each depends on.

/// One variable a rule can read, and the application fields it comes from.
#[derive(Debug, Clone)]
pub struct InputSpec {
    /// The variable's name.
    pub name: String,
    /// Application fields this input depends on: when one is missing, a rule reading the input
    /// must be skipped, so it must list them in `READS`.
    pub fields: Vec<String>,
    /// Whether rules may read it; a field whose declaration says `"readable": false` is not.
    pub readable: bool,
    /// Why not, when not.
    pub note: Option<String>,
    /// What its value is when it has one, for load-time checks of what a rule does with it.
    pub shape: Shape,
}

/// What an input's value is, as far as a rule can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// A string (enums, text, codes, dates).
    Text,
    /// A list of strings.
    List,
    /// A whole number.
    Integer,
    /// An exact decimal (money, the instalment).
    Decimal,
    /// `true` or `false`.
    Boolean,
    /// The funding purposes, a value with methods.
    Purposes,
}

impl Shape {
    fn of(kind: &crate::fields::Kind) -> Shape {
        use crate::fields::Kind;
        match kind {
            Kind::Money { .. } => Shape::Decimal,
            Kind::Integer { .. } => Shape::Integer,
            Kind::Boolean => Shape::Boolean,
            Kind::Purposes { .. } => Shape::Purposes,
            Kind::Enum { .. }
            | Kind::Text { .. }
            | Kind::NaceCode
            | Kind::EnterpriseNumber
            | Kind::Date => Shape::Text,
        }
    }
}

/// The name of the derived input that holds the indicative instalment at the version's rate,
/// rounded as shown.
pub const INSTALMENT_INPUT: &str = "monthly_instalment_eur";
/// The name of the derived input that lists the required fields that are missing.
pub const MISSING_REQUIRED_INPUT: &str = "missing_required";
/// The name of the derived input that holds how long the business has been active: whole
/// calendar months from [`BUSINESS_START_FIELD`] to the decision's `as_of` (CONTRACT.md §7).
pub const MONTHS_ACTIVE_INPUT: &str = "months_active";
/// The shared optional field a version declares (kind `date`) for rules on a business's age.
pub const BUSINESS_START_FIELD: &str = "business_start_date";

/// Every variable in a rule's scope: one per declared field, in declaration order, then the
/// engine's three derived inputs. [`Program::start`] expects their values in this order.
#[derive(Debug, Clone)]
pub struct Inputs {
    list: Vec<InputSpec>,
    fields: usize,
    /// The index of [`BUSINESS_START_FIELD`], when declared as a date.
    business_start: Option<usize>,
    /// Slots by the length of their name: a look-up compares only names of the same length
    /// (one or two), however many fields a version declares.
    by_len: Vec<Vec<usize>>,
}

impl Inputs {
    /// The inputs of a version with these fields.
    pub fn new(fields: &crate::fields::Fields) -> Inputs {
        let mut list: Vec<InputSpec> = fields
            .iter()
            .map(|f| InputSpec {
                name: f.name.clone(),
                fields: vec![f.name.clone()],
                readable: f.readable,
                note: f.note.clone(),
                shape: Shape::of(&f.kind),
            })
            .collect();
        let amount = fields.get(fields.amount_index()).map(|f| f.name.clone());
        let term = fields.get(fields.term_index()).map(|f| f.name.clone());
        list.push(InputSpec {
            name: INSTALMENT_INPUT.to_owned(),
            fields: amount.into_iter().chain(term).collect(),
            readable: true,
            note: None,
            shape: Shape::Decimal,
        });
        list.push(InputSpec {
            name: MISSING_REQUIRED_INPUT.to_owned(),
            fields: Vec::new(),
            readable: true,
            note: None,
            shape: Shape::List,
        });
        // Readable only where the version declares the business's start date as a date.
        let start = fields.iter().position(|f| {
            f.name == BUSINESS_START_FIELD && matches!(f.kind, crate::fields::Kind::Date)
        });
        list.push(InputSpec {
            name: MONTHS_ACTIVE_INPUT.to_owned(),
            fields: vec![BUSINESS_START_FIELD.to_owned()],
            readable: start.is_some(),
            note: start.is_none().then(|| {
                format!("`{MONTHS_ACTIVE_INPUT}` needs the field `{BUSINESS_START_FIELD}` (kind `date`), which this version does not declare")
            }),
            shape: Shape::Integer,
        });
        let mut by_len: Vec<Vec<usize>> = Vec::new();
        for (slot, input) in list.iter().enumerate() {
            let len = input.name.len();
            if by_len.len() <= len {
                by_len.resize_with(len + 1, Vec::new);
            }
            if let Some(same) = by_len.get_mut(len) {
                same.push(slot);
            }
        }
        Inputs {
            list,
            fields: fields.len(),
            business_start: start,
            by_len,
        }
    }
    /// How many values a run takes.
    pub fn len(&self) -> usize {
        self.list.len()
    }
    /// Never empty: the derived inputs are always there.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
    /// The inputs, in slot order.
    pub fn iter(&self) -> impl Iterator<Item = &InputSpec> {
        self.list.iter()
    }
    /// The slot of the instalment.
    pub fn instalment_slot(&self) -> usize {
        self.fields
    }
    /// The slot of the missing required fields.
    pub fn missing_required_slot(&self) -> usize {
        self.fields + 1
    }
    /// The slot of the months the business has been active.
    pub fn months_active_slot(&self) -> usize {
        self.fields + 2
    }
    /// The field index of the business's start date, when the version declares it.
    pub fn business_start_field(&self) -> Option<usize> {
        self.business_start
    }
    /// Fields a rule may list in `READS`: the readable fields.
    pub fn readable_fields(&self) -> impl Iterator<Item = &str> {
        self.list
            .iter()
            .take(self.fields)
            .filter(|i| i.readable)
            .map(|i| i.name.as_str())
    }
    /// The slot of an input's name: only the names of its length are compared, so a look-up
    /// costs the same whatever the number of fields (it runs for every variable a rule reads).
    pub(crate) fn slot_of(&self, name: &str) -> Option<usize> {
        self.by_len.get(name.len())?.iter().copied().find(|&slot| {
            self.list
                .get(slot)
                .is_some_and(|input| input.name.as_bytes() == name.as_bytes())
        })
    }
}
