//! `${NAME}` templates: a runbook variable replaces its `${NAME}`; everything else (`$NAME`,
//! `${NAME}` of a name not in `[vars]`, `${NAME:-default}`) is left for the shell, so shell
//! scripts in a runbook need no escaping.

use std::collections::BTreeMap;

pub fn expand(text: &str, vars: &BTreeMap<String, String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find('}').map(|end| (&after[..end], end)) {
            Some((name, end)) if vars.contains_key(name) => {
                out.push_str(&vars[name]);
                rest = &after[end + 1..];
            }
            _ => {
                out.push_str("${");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_known_braced_names_are_replaced() {
        let vars = BTreeMap::from([
            ("API".to_string(), "https://api.example".to_string()),
            ("N".to_string(), "3".to_string()),
        ]);
        let cases = [
            ("curl ${API}/health", "curl https://api.example/health"),
            ("${N}${N}", "33"),
            ("$API and ${HOME}", "$API and ${HOME}"),
            ("${N:-1} ${", "${N:-1} ${"),
            ("no templates", "no templates"),
            ("${API", "${API"),
        ];
        for (input, want) in cases {
            assert_eq!(expand(input, &vars), want, "{input}");
        }
    }
}
