//! `MaxResults` / `NextToken` pagination over id-ordered results.
//!
//! A token is the last id of the page it ends, so pages stay stable while resources are added
//! or removed between calls.

use codes::Ec2;
use wire::ApiError;

const TOKEN_PREFIX: &str = "vpclab1.";

/// One page of `items` (already filtered and sorted by id) and the token of the next page.
/// Pass references and render only the page: rendering is the expensive part.
/// `limits` is the operation's documented MaxResults range.
pub fn paginate<T>(
    items: Vec<(String, T)>,
    max_results: Option<i32>,
    next_token: Option<&str>,
    limits: (i32, i32),
) -> Result<(Vec<T>, Option<String>), ApiError> {
    if let Some(max) = max_results
        && !(limits.0..=limits.1).contains(&max)
    {
        return Err(ApiError::invalid_parameter_value(format!(
            "Value ( {max} ) for parameter maxResults is invalid. Expecting a value between {} and {}.",
            limits.0, limits.1
        )));
    }
    let after = match next_token {
        None => None,
        Some(t) => Some(decode(t).ok_or_else(|| {
            ApiError::client(Ec2::InvalidNextToken, format!("The token '{t}' is invalid."))
        })?),
    };
    let mut rest =
        items.into_iter().filter(|(id, _)| after.as_ref().is_none_or(|a| id > a)).peekable();
    let limit = max_results.map_or(usize::MAX, |m| m as usize);
    let mut page = Vec::new();
    let mut last = None;
    while page.len() < limit {
        match rest.next() {
            Some((id, item)) => {
                last = Some(id);
                page.push(item);
            }
            None => break,
        }
    }
    let token = match (rest.peek(), last) {
        (Some(_), Some(last)) => Some(encode(&last)),
        _ => None,
    };
    Ok((page, token))
}

/// The page order of a row without an id: its position, padded so that ids sort as positions.
pub fn position_id(i: usize) -> String {
    format!("{i:08}")
}

fn encode(id: &str) -> String {
    let hex: String = id.bytes().map(|b| format!("{b:02x}")).collect();
    format!("{TOKEN_PREFIX}{hex}")
}

fn decode(token: &str) -> Option<String> {
    let hex = token.strip_prefix(TOKEN_PREFIX)?;
    if hex.len() % 2 != 0 || hex.len() > 512 {
        return None;
    }
    let bytes: Option<Vec<u8>> = (0..hex.len())
        .step_by(2)
        .map(|i| hex.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()))
        .collect();
    String::from_utf8(bytes?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(n: usize) -> Vec<(String, usize)> {
        (0..n).map(|i| (format!("id-{i:03}"), i)).collect()
    }

    #[test]
    fn pages_cover_everything_once() {
        let mut token = None;
        let mut seen = vec![];
        loop {
            let (page, next) = paginate(items(12), Some(5), token.as_deref(), (5, 1000)).unwrap();
            seen.extend(page);
            match next {
                Some(t) => token = Some(t),
                None => break,
            }
        }
        assert_eq!(seen, (0..12).collect::<Vec<_>>());
    }

    #[test]
    fn bad_limits_and_tokens_are_client_errors() {
        assert_eq!(
            paginate(items(3), Some(4), None, (5, 1000)).unwrap_err().code,
            "InvalidParameterValue"
        );
        assert_eq!(
            paginate(items(3), None, Some("garbage"), (5, 1000)).unwrap_err().code,
            "InvalidNextToken"
        );
        let (all, next) = paginate(items(3), None, None, (5, 1000)).unwrap();
        assert_eq!((all.len(), next), (3, None));
    }
}
