//! Just enough of an ICC colour profile (ICC.1:2022, sections 7.2 and 10.13/10.15) to tell
//! whether an image's embedded profile is sRGB: the header's data colour space and the
//! profile description (`desc`, in its v2 `desc` or v4 `mluc` form).
//!
//! quire does not convert between colour spaces: pixels are read as sRGB, which is right for
//! untagged images and for sRGB ones, and a warning names any other profile (Display P3,
//! Adobe RGB …) so the author can export the cover in sRGB. Malformed profiles never panic:
//! they read as "unknown".

/// The facts of a profile that the cover stage reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Profile {
    /// The header's data colour space (`RGB `, `GRAY`, `CMYK` …), trimmed.
    pub space: String,
    /// The profile's description, when it has a readable one.
    pub description: Option<String>,
}

impl Profile {
    /// Whether pixels tagged with this profile can be read as sRGB: an RGB profile described
    /// as sRGB (the IEC 61966-2.1 profile and its many copies), or a grey profile (grey
    /// covers are rare and their tone curves close to sRGB's).
    pub fn reads_as_srgb(&self) -> bool {
        match self.space.as_str() {
            "GRAY" => true,
            "RGB" => self
                .description
                .as_deref()
                .is_some_and(|d| d.to_ascii_lowercase().contains("srgb")),
            _ => false,
        }
    }

    /// A name for messages: the description, else the colour space.
    pub fn name(&self) -> String {
        self.description
            .clone()
            .unwrap_or_else(|| format!("{} profile", self.space))
    }
}

/// Reads a profile's header and description; `None` when it is not an ICC profile.
pub(crate) fn read(bytes: &[u8]) -> Option<Profile> {
    if bytes.len() < 132 || bytes.get(36..40)? != b"acsp" {
        return None;
    }
    let space = String::from_utf8_lossy(bytes.get(16..20)?)
        .trim()
        .to_string();
    let count = be32(bytes, 128)? as usize;
    let description = (0..count.min(256)).find_map(|i| {
        let entry = 132 + 12 * i;
        if bytes.get(entry..entry + 4)? != b"desc" {
            return None;
        }
        let offset = be32(bytes, entry + 4)? as usize;
        let size = be32(bytes, entry + 8)? as usize;
        let data = bytes.get(offset..offset.checked_add(size)?)?;
        description(data)
    });
    Some(Profile { space, description })
}

fn be32(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

/// The text of a `desc` (ASCII) or `mluc` (UTF-16BE, first record) tag.
fn description(data: &[u8]) -> Option<String> {
    let text = match data.get(0..4)? {
        b"desc" => {
            let length = be32(data, 8)? as usize;
            let ascii = data.get(12..12 + length.min(data.len().saturating_sub(12)))?;
            String::from_utf8_lossy(ascii).into_owned()
        }
        b"mluc" => {
            let records = be32(data, 8)?;
            if records == 0 {
                return None;
            }
            let length = be32(data, 16 + 4)? as usize;
            let offset = be32(data, 16 + 8)? as usize;
            let utf16: Vec<u16> = data
                .get(offset..offset.checked_add(length)?)?
                .chunks_exact(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect();
            String::from_utf16_lossy(&utf16)
        }
        _ => return None,
    };
    let text = text.trim_matches(char::from(0)).trim().to_string();
    (!text.is_empty()).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal profile: header, one `desc` tag of the given type and text.
    pub(crate) fn profile(space: &[u8; 4], tag: &[u8]) -> Vec<u8> {
        let mut p = vec![0u8; 128];
        p[16..20].copy_from_slice(space);
        p[36..40].copy_from_slice(b"acsp");
        p.extend(1u32.to_be_bytes());
        p.extend(b"desc");
        p.extend(144u32.to_be_bytes());
        p.extend((tag.len() as u32).to_be_bytes());
        p.extend(tag);
        p
    }

    fn desc_v2(text: &str) -> Vec<u8> {
        let mut t = b"desc\0\0\0\0".to_vec();
        t.extend((text.len() as u32 + 1).to_be_bytes());
        t.extend(text.as_bytes());
        t.push(0);
        t
    }

    fn mluc(text: &str) -> Vec<u8> {
        let utf16: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        let mut t = b"mluc\0\0\0\0".to_vec();
        t.extend(1u32.to_be_bytes());
        t.extend(12u32.to_be_bytes());
        t.extend(b"enUS");
        t.extend((utf16.len() as u32).to_be_bytes());
        t.extend(28u32.to_be_bytes());
        t.extend(utf16);
        t
    }

    #[test]
    fn tells_srgb_from_other_profiles() {
        let srgb = read(&profile(b"RGB ", &desc_v2("sRGB IEC61966-2.1"))).unwrap();
        assert!(srgb.reads_as_srgb());
        let p3 = read(&profile(b"RGB ", &mluc("Display P3"))).unwrap();
        assert_eq!(p3.description.as_deref(), Some("Display P3"));
        assert!(!p3.reads_as_srgb());
        let swop = read(&profile(b"CMYK", &desc_v2("U.S. Web Coated (SWOP) v2"))).unwrap();
        assert_eq!(swop.space, "CMYK");
        assert!(!swop.reads_as_srgb());
    }

    #[test]
    fn malformed_profiles_never_panic() {
        assert_eq!(read(b"short"), None);
        let mut p = profile(b"RGB ", &desc_v2("sRGB"));
        p.truncate(150);
        assert_eq!(read(&p).unwrap().description, None);
        let mut p = profile(b"RGB ", &mluc("x"));
        p[128..132].copy_from_slice(&u32::MAX.to_be_bytes());
        let _ = read(&p);
        let mut p = profile(b"RGB ", &desc_v2("sRGB"));
        p[140..144].copy_from_slice(&u32::MAX.to_be_bytes());
        assert_eq!(read(&p).unwrap().description, None);
    }
}
