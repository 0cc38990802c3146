//! Writing messages: responses with name compression and the OPT record, queries, and
//! header-only errors.

use super::*;

/// Names already written, for compression: positions of label starts in the message.
const MAX_POINTERS: usize = 96;

/// Builds a response in a reused buffer.
#[derive(Debug)]
pub struct Writer<'a> {
    buf: &'a mut Vec<u8>,
    pointers: [u16; MAX_POINTERS],
    npointers: usize,
    counts: [u16; 3],
}

/// The sections records go to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// Answer.
    Answer = 0,
    /// Authority.
    Authority = 1,
    /// Additional.
    Additional = 2,
}

/// Is the (possibly compressed) name at `p` in `msg` equal to the uncompressed `wire`,
/// ignoring ASCII case?
fn same_name(msg: &[u8], mut p: usize, wire: &[u8]) -> bool {
    let mut w = 0;
    for _ in 0..128 {
        let Some(&len) = msg.get(p) else { return false };
        if len & 0xC0 == 0xC0 {
            match u16_at(msg, p) {
                Some(t) if usize::from(t & 0x3FFF) < p => {
                    p = usize::from(t & 0x3FFF);
                    continue;
                }
                _ => return false,
            }
        }
        let Some(&wl) = wire.get(w) else { return false };
        if wl != len {
            return false;
        }
        if len == 0 {
            return true;
        }
        let (Some(a), Some(b)) =
            (msg.get(p + 1..p + 1 + len as usize), wire.get(w + 1..w + 1 + len as usize))
        else {
            return false;
        };
        if !a.eq_ignore_ascii_case(b) {
            return false;
        }
        p += 1 + len as usize;
        w += 1 + len as usize;
    }
    false
}

impl<'a> Writer<'a> {
    /// Starts a response to `query`: header (QR, the opcode, RD and CD echoed), then the
    /// question as it came. `buf` is cleared.
    pub fn new(buf: &'a mut Vec<u8>, query: &Query<'_>, rcode: u16, aa: bool, ra: bool) -> Self {
        buf.clear();
        let mut flags = QR | (query.flags & (RD | CD | 0x7800)) | (rcode & 0xF);
        if aa {
            flags |= AA;
        }
        if ra {
            flags |= RA;
        }
        buf.extend_from_slice(&query.id.to_be_bytes());
        buf.extend_from_slice(&flags.to_be_bytes());
        buf.extend_from_slice(&[0, 1, 0, 0, 0, 0, 0, 0]);
        buf.extend_from_slice(query.question);
        let mut w = Writer { buf, pointers: [0; MAX_POINTERS], npointers: 0, counts: [0; 3] };
        // The question's name is the first compression target (answers echo its case).
        let mut p = HEADER;
        while let Some(&len) = w.buf.get(p) {
            if len == 0 {
                break;
            }
            w.remember(p);
            p += 1 + len as usize;
        }
        w
    }

    /// Sets the response code (the low four bits; higher ones go in OPT).
    pub fn set_rcode(&mut self, rcode: u16) {
        if let Some(b) = self.buf.get_mut(3) {
            *b = (*b & 0xF0) | (rcode & 0xF) as u8;
        }
    }

    /// Sets or clears AA.
    pub fn set_aa(&mut self, aa: bool) {
        if let Some(b) = self.buf.get_mut(2) {
            if aa {
                *b |= (AA >> 8) as u8;
            } else {
                *b &= !((AA >> 8) as u8);
            }
        }
    }

    /// The message so far.
    pub fn len(&self) -> usize {
        self.buf.len()
    }

    /// Whether nothing has been written (never: the header is there).
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// Records in a section so far.
    pub fn count(&self, section: Section) -> u16 {
        self.counts.get(section as usize).copied().unwrap_or(0)
    }

    /// Writes a name, compressed if `compress` (and remembered for later names either way
    /// only when compressed).
    pub fn name(&mut self, wire: &[u8], compress: bool) {
        if !compress {
            self.buf.extend_from_slice(wire);
            return;
        }
        let mut w = 0;
        while let Some(&len) = wire.get(w) {
            if len == 0 {
                self.buf.push(0);
                return;
            }
            let Some(suffix) = wire.get(w..) else { return };
            let found = self
                .pointers
                .get(..self.npointers)
                .and_then(|ps| ps.iter().find(|&&p| same_name(self.buf, usize::from(p), suffix)));
            if let Some(&p) = found {
                self.buf.extend_from_slice(&(0xC000 | p).to_be_bytes());
                return;
            }
            self.remember(self.buf.len());
            let Some(label) = wire.get(w..w + 1 + len as usize) else { return };
            self.buf.extend_from_slice(label);
            w += 1 + len as usize;
        }
    }

    /// Writes one record of class IN.
    pub fn record(
        &mut self,
        section: Section,
        owner: &[u8],
        rtype: u16,
        ttl: u32,
        rdata: &[Piece],
    ) {
        self.name(owner, true);
        self.buf.extend_from_slice(&rtype.to_be_bytes());
        self.buf.extend_from_slice(&CLASS_IN.to_be_bytes());
        self.buf.extend_from_slice(&ttl.to_be_bytes());
        let len_at = self.buf.len();
        self.buf.extend_from_slice(&[0, 0]);
        for piece in rdata {
            match piece {
                Piece::Bytes(b) => self.buf.extend_from_slice(b),
                Piece::Name(n) => self.name(n, true),
                Piece::FullName(n) => self.name(n, false),
            }
        }
        let len = (self.buf.len() - len_at - 2) as u16;
        if let Some(slot) = self.buf.get_mut(len_at..len_at + 2) {
            slot.copy_from_slice(&len.to_be_bytes());
        }
        self.bump(section);
    }

    fn remember(&mut self, position: usize) {
        if position < 0x3FFF
            && let Some(slot) = self.pointers.get_mut(self.npointers)
        {
            *slot = position as u16;
            self.npointers += 1;
        }
    }

    fn bump(&mut self, section: Section) {
        let i = section as usize;
        let Some(count) = self.counts.get_mut(i) else { return };
        *count = count.saturating_add(1);
        let c = count.to_be_bytes();
        let at = 6 + 2 * i;
        if let Some(slot) = self.buf.get_mut(at..at + 2) {
            slot.copy_from_slice(&c);
        }
    }

    /// Writes the OPT record: our payload size, `rcode`'s upper bits, the DO bit echoed, and
    /// the client subnet echoed with `scope` as its scope prefix.
    pub fn opt(&mut self, edns: &Edns, rcode: u16, scope: Option<u8>) {
        let ext = ((rcode >> 4) & 0xFF) as u8;
        let subnet =
            edns.client_subnet.map(|cs| ClientSubnet { scope_prefix: scope.unwrap_or(0), ..cs });
        push_opt(self.buf, ADVERTISED_PAYLOAD, ext, edns.dnssec_ok, subnet.as_ref());
        self.bump(Section::Additional);
    }

    /// Cuts the message back to header, question and (re-written) OPT and sets TC: for a
    /// UDP answer larger than the client accepts (RFC 2181 9: the client retries over TCP).
    pub fn truncate(&mut self, query: &Query<'_>, rcode: u16, scope: Option<u8>) {
        self.buf.truncate(HEADER + query.question.len());
        self.counts = [0; 3];
        for at in [6usize, 8, 10] {
            if let Some(slot) = self.buf.get_mut(at..at + 2) {
                slot.copy_from_slice(&[0, 0]);
            }
        }
        if let Some(b) = self.buf.get_mut(2) {
            *b |= (TC >> 8) as u8;
        }
        if let Some(edns) = &query.edns {
            self.opt(edns, rcode, scope);
        }
    }
}

/// Appends an OPT record (RFC 6891): `payload`, the extended rcode bits, the DO bit and the
/// client subnet (RFC 7871: only the octets its source prefix needs).
fn push_opt(
    buf: &mut Vec<u8>,
    payload: u16,
    ext: u8,
    dnssec_ok: bool,
    subnet: Option<&ClientSubnet>,
) {
    buf.push(0);
    buf.extend_from_slice(&rtype::OPT.to_be_bytes());
    buf.extend_from_slice(&payload.to_be_bytes());
    let flags: u16 = if dnssec_ok { 0x8000 } else { 0 };
    buf.extend_from_slice(&[ext, 0]);
    buf.extend_from_slice(&flags.to_be_bytes());
    match subnet {
        Some(cs) => {
            let octets: Vec<u8> = match cs.address {
                IpAddr::V4(a) => a.octets().to_vec(),
                IpAddr::V6(a) => a.octets().to_vec(),
            };
            let n = usize::from(cs.source_prefix).div_ceil(8);
            let addr = octets.get(..n).unwrap_or(&[]);
            let len = 4 + addr.len() as u16;
            buf.extend_from_slice(&(len + 4).to_be_bytes());
            buf.extend_from_slice(&OPTION_CLIENT_SUBNET.to_be_bytes());
            buf.extend_from_slice(&len.to_be_bytes());
            buf.extend_from_slice(&cs.family.to_be_bytes());
            buf.push(cs.source_prefix);
            buf.push(cs.scope_prefix);
            buf.extend_from_slice(addr);
        }
        None => buf.extend_from_slice(&[0, 0]),
    }
}

/// Writes a query for `qname` (uncompressed wire form) and `qtype` into `buf` (cleared
/// first), with the header `flags` (RD = 0x0100) and, when `edns` is given, an OPT record
/// advertising its payload size and carrying its client subnet.
pub fn write_query(
    buf: &mut Vec<u8>,
    id: u16,
    flags: u16,
    qname: &[u8],
    qtype: u16,
    edns: Option<(u16, Option<ClientSubnet>)>,
) {
    buf.clear();
    buf.extend_from_slice(&id.to_be_bytes());
    buf.extend_from_slice(&(flags & !QR).to_be_bytes());
    buf.extend_from_slice(&[0, 1, 0, 0, 0, 0, 0, u8::from(edns.is_some())]);
    buf.extend_from_slice(qname);
    buf.extend_from_slice(&qtype.to_be_bytes());
    buf.extend_from_slice(&CLASS_IN.to_be_bytes());
    if let Some((payload, subnet)) = edns {
        push_opt(buf, payload, 0, false, subnet.as_ref());
    }
}

/// Writes a header-only error response (`FORMERR`, `NOTIMP`) for a [`Reject::Error`]; with
/// no question, as the question could not be read.
pub fn write_error(buf: &mut Vec<u8>, id: u16, flags: u16, rcode: u16) {
    buf.clear();
    let flags = QR | (flags & (RD | CD | 0x7800)) | (rcode & 0xF);
    buf.extend_from_slice(&id.to_be_bytes());
    buf.extend_from_slice(&flags.to_be_bytes());
    buf.extend_from_slice(&[0; 8]);
}
