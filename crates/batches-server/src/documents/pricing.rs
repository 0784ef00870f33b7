//! Credits: a fixed number per page for each tier, so the same file and configuration
//! always cost the same. The numbers are illustrative, not LlamaCloud's prices.

/// A configuration's tier and what one page costs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pricing {
    /// The parse tier (`fast`, `cost_effective`, `agentic`, `agentic_plus`).
    pub parse_tier: &'static str,
    /// Credits per page for parsing.
    pub parse_per_page: f64,
    /// The extract tier, for an extract job.
    pub extract_tier: Option<&'static str>,
    /// Credits per page for extracting.
    pub extract_per_page: f64,
}

/// Parse tiers by built-in preset, and credits per page. A configuration of the caller's
/// own (any other id) parses at `cost_effective`.
const PARSE: &[(&str, &str, f64)] = &[
    ("CFG-PARSE_FAST", "fast", 1.0),
    ("CFG-PARSE_COST_EFFECTIVE", "cost_effective", 3.0),
    ("CFG-PARSE_AGENTIC", "agentic", 10.0),
    ("CFG-PARSE_AGENTIC_PLUS", "agentic_plus", 45.0),
];

/// The tier of a parse configuration and its price per page.
pub fn parse_pricing(configuration_id: &str) -> Pricing {
    let id = configuration_id.to_ascii_uppercase();
    let (parse_tier, parse_per_page) = PARSE
        .iter()
        .find(|(preset, _, _)| *preset == id)
        .map(|(_, tier, price)| (*tier, *price))
        .unwrap_or(("cost_effective", 3.0));
    Pricing {
        parse_tier,
        parse_per_page,
        extract_tier: None,
        extract_per_page: 0.0,
    }
}

/// An extract configuration's tiers: the built-in presets extract at `agentic` (15 credits
/// a page), any other configuration at `cost_effective` (5); both parse at
/// `cost_effective` (3).
pub fn extract_pricing(configuration_id: &str, is_preset: bool) -> Pricing {
    let (extract_tier, extract_per_page) = if is_preset {
        ("agentic", 15.0)
    } else {
        ("cost_effective", 5.0)
    };
    Pricing {
        extract_tier: Some(extract_tier),
        extract_per_page,
        ..parse_pricing(configuration_id)
    }
}

impl Pricing {
    /// Credits for parsing `pages` pages.
    pub fn parse_credits(&self, pages: usize) -> f64 {
        self.parse_per_page * pages as f64
    }

    /// Credits for extracting from `pages` pages.
    pub fn extract_credits(&self, pages: usize) -> f64 {
        self.extract_per_page * pages as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_tier_has_its_price_per_page() {
        assert_eq!(parse_pricing("cfg-PARSE_FAST").parse_credits(3), 3.0);
        assert_eq!(parse_pricing("cfg-parse_agentic").parse_credits(2), 20.0);
        assert_eq!(
            parse_pricing("cfg-PARSE_AGENTIC_PLUS").parse_tier,
            "agentic_plus"
        );
        assert_eq!(parse_pricing("cfg-1234").parse_tier, "cost_effective");
        let preset = extract_pricing("cfg-EXTRACT_INVOICE", true);
        assert_eq!(
            (preset.extract_credits(2), preset.parse_credits(2)),
            (30.0, 6.0)
        );
        assert_eq!(
            extract_pricing("cfg-1234", false).extract_tier,
            Some("cost_effective")
        );
    }
}
