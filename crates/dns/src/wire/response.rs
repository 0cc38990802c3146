//! Reading a response back, as a client would (TestDNSAnswer).

use super::*;

/// A response read back (what a client sees): its code and its answer section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The id it echoes.
    pub id: u16,
    /// The response code (the header's four bits; the extended bits are not read).
    pub rcode: u16,
    /// TC: the answer did not fit, the client should ask again over TCP.
    pub truncated: bool,
    /// The answer section, in order.
    pub answers: Vec<ResponseRecord>,
}

/// One record of a response's answer section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseRecord {
    /// The owner's key (lower case, trailing dot, octal escapes).
    pub owner: String,
    /// Its type.
    pub rtype: u16,
    /// Its TTL.
    pub ttl: u32,
    /// The data, typed; `None` for a type this crate does not write or data that does not
    /// parse as its type.
    pub data: Option<RData>,
}

/// Reads a response: the header, the question(s) skipped, the answer section typed. Every
/// read is bounds-checked as in [`parse_query`]; `None` when it is not a well-formed response.
pub fn parse_response(msg: &[u8]) -> Option<Response> {
    let (id, flags) = (u16_at(msg, 0)?, u16_at(msg, 2)?);
    if flags & QR == 0 {
        return None;
    }
    let (qd, an) = (u16_at(msg, 4)?, u16_at(msg, 6)?);
    let mut pos = HEADER;
    for _ in 0..qd {
        pos = skip_name(msg, pos)?.checked_add(4)?;
    }
    let mut answers = Vec::with_capacity(usize::from(an));
    for _ in 0..an {
        let mut owner = String::new();
        let after = walk_name(msg, pos, |l| push_label_key(&mut owner, l))?;
        if owner.is_empty() {
            owner.push('.');
        }
        let rt = u16_at(msg, after)?;
        let ttl = u32_at(msg, after + 4)?;
        let start = after + 10;
        let end = start.checked_add(usize::from(u16_at(msg, after + 8)?))?;
        if end > msg.len() {
            return None;
        }
        answers.push(ResponseRecord {
            owner,
            rtype: rt,
            ttl,
            data: RData::read(msg, rt, start, end),
        });
        pos = end;
    }
    Some(Response { id, rcode: flags & 0xF, truncated: flags & TC != 0, answers })
}
