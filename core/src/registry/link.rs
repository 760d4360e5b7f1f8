//! `Link` headers (RFC 8288) for tag-list and referrers pagination.

/// The target of the `rel="next"` link in a `Link` header value, if any.
pub fn next_link(header: &str) -> Option<String> {
    let mut rest = header;
    loop {
        rest = rest.trim_start_matches([' ', '\t', ',']);
        let body = rest.strip_prefix('<')?;
        let end = body.find('>')?;
        let target = &body[..end];
        rest = &body[end + 1..];
        // Parameters run to the next ',' outside quotes.
        let mut params = String::new();
        let mut quoted = false;
        let mut consumed = rest.len();
        for (i, c) in rest.char_indices() {
            match c {
                '"' => quoted = !quoted,
                ',' if !quoted => {
                    consumed = i;
                    break;
                }
                _ => {}
            }
            params.push(c);
        }
        rest = &rest[consumed..];
        let is_next = params.split(';').any(|param| {
            let Some((name, value)) = param.split_once('=') else {
                return false;
            };
            name.trim().eq_ignore_ascii_case("rel")
                && value
                    .trim()
                    .trim_matches('"')
                    .split_ascii_whitespace()
                    .any(|rel| rel.eq_ignore_ascii_case("next"))
        });
        if is_next {
            return Some(target.to_owned());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_next_link() {
        assert_eq!(
            next_link(r#"</v2/a/tags/list?n=2&last=b>; rel="next""#).as_deref(),
            Some("/v2/a/tags/list?n=2&last=b")
        );
        assert_eq!(
            next_link(r#"<https://x.example/p1>; rel="prev", <https://x.example/p3>; rel=next"#)
                .as_deref(),
            Some("https://x.example/p3")
        );
        assert_eq!(
            next_link(r#"<a>; title="x, y"; rel="prev next""#).as_deref(),
            Some("a")
        );
        assert_eq!(next_link(r#"<a>; rel="prev""#), None);
        assert_eq!(next_link(""), None);
        assert_eq!(next_link("garbage"), None);
        assert_eq!(next_link("<unterminated; rel=next"), None);
    }
}
