//! Card-network merchant identifiers: the primitive merchant account objects 02–16.
//!
//! EMV MPM reserves pairs of root tags for the card networks: 02–03 Visa, 04–05 Mastercard,
//! 06–08 EMVCo (India uses 06–07 for RuPay and 08 for an IFSC and account), 09–10 Discover,
//! 11–12 American Express, 13–14 JCB, 15–16 UnionPay. Each holds the merchant's identifier at
//! that network.

use super::util::{self, Checker};
use super::{Inspection, SchemeId, SchemeRule};
use crate::emv::Payload;

/// A card network with a merchant identifier in the payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
// Lower case without separators, so each network serialises as its scheme id (`unionpay`).
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum CardNetwork {
    /// Tags 02–03.
    Visa,
    /// Tags 04–05.
    Mastercard,
    /// Tags 06–07 in Indian (Bharat QR) codes.
    RuPay,
    /// Tags 09–10.
    Discover,
    /// Tags 11–12.
    Amex,
    /// Tags 13–14.
    Jcb,
    /// Tags 15–16.
    UnionPay,
}

impl CardNetwork {
    /// The network a primitive merchant account tag belongs to; `country` (tag 58) decides
    /// tags 06–07, which only India assigns (to RuPay).
    #[must_use]
    pub fn of_tag(tag: u8, country: Option<&str>) -> Option<CardNetwork> {
        match tag {
            2 | 3 => Some(CardNetwork::Visa),
            4 | 5 => Some(CardNetwork::Mastercard),
            6 | 7 if country == Some("IN") => Some(CardNetwork::RuPay),
            9 | 10 => Some(CardNetwork::Discover),
            11 | 12 => Some(CardNetwork::Amex),
            13 | 14 => Some(CardNetwork::Jcb),
            15 | 16 => Some(CardNetwork::UnionPay),
            _ => None,
        }
    }

    /// The scheme id [`super::detect`] reports for the network.
    #[must_use]
    pub const fn scheme_id(self) -> SchemeId {
        match self {
            CardNetwork::Visa => SchemeId::Visa,
            CardNetwork::Mastercard => SchemeId::Mastercard,
            CardNetwork::RuPay => SchemeId::RuPay,
            CardNetwork::Discover => SchemeId::Discover,
            CardNetwork::Amex => SchemeId::Amex,
            CardNetwork::Jcb => SchemeId::Jcb,
            CardNetwork::UnionPay => SchemeId::UnionPay,
        }
    }
}

/// One merchant identifier at a card network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct CardId<'p> {
    /// The root tag it sits in.
    pub tag: u8,
    /// The merchant identifier as written.
    pub merchant_id: &'p str,
}

/// A card network's merchant identifiers (a network has two tags; codes may fill both).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct CardAccount<'p> {
    /// The network.
    pub network: CardNetwork,
    /// Its identifiers in input order; never empty.
    pub ids: Vec<CardId<'p>>,
}

impl<'p> CardAccount<'p> {
    /// The first identifier.
    #[must_use]
    pub fn merchant_id(&self) -> Option<&'p str> {
        self.ids.first().map(|i| i.merchant_id)
    }
}

/// Every card network with an identifier in the payload, in order of first appearance, with
/// its violations: identifiers must be digits, and Visa and RuPay identifiers of 16 digits must
/// pass the Luhn check.
#[must_use]
pub fn inspect_all<'p>(payload: &'p Payload<'_>) -> Vec<Inspection<CardAccount<'p>>> {
    let country = payload.country_code();
    let mut out: Vec<Inspection<CardAccount<'p>>> = Vec::new();
    for o in payload.objects() {
        let Some(network) = CardNetwork::of_tag(o.tag().get(), country) else {
            continue;
        };
        let mut ck = Checker::new(network.scheme_id());
        let id = o.value();
        if !util::is_digits(id) {
            ck.bad_format(o, "card merchant id", "digits");
        } else if matches!(network, CardNetwork::Visa | CardNetwork::RuPay)
            && id.len() == 16
            && !util::luhn_ok(id)
        {
            ck.flag(
                o,
                SchemeRule::BadCheckDigit {
                    field: "card merchant id",
                    found: id.to_owned(),
                },
            );
        }
        let card_id = CardId {
            tag: o.tag().get(),
            merchant_id: id,
        };
        match out.iter_mut().find(|i| i.view.network == network) {
            Some(existing) => {
                existing.view.ids.push(card_id);
                existing.violations.append(&mut ck.found);
            }
            None => out.push(Inspection {
                view: CardAccount {
                    network,
                    ids: vec![card_id],
                },
                location: o.path(),
                violations: ck.found,
            }),
        }
    }
    out
}
