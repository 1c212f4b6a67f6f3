//! Document metadata: the `/Info` dictionary and the XMP packet (ISO 32000-1, 14.3), both
//! from [`DocumentInfo`] alone. The date is the book's (`DocumentInfo::date`), never the
//! clock; the XMP ids are the book's identifier, never random.

use lopdf::{Dictionary, Object, StringFormat};

use super::PdfError;
use crate::typeset::layout::DocumentInfo;

/// What `/Producer` and `pdf:Producer` name: the library that wrote the PDF syntax.
const PRODUCER: &str = "printpdf 0.12 and lopdf 0.44";

/// A PDF text string: PDFDocEncoding when the text is printable ASCII, else UTF-16BE with a
/// byte-order mark.
pub(super) fn text_string(text: &str) -> Object {
    if text.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        Object::String(text.as_bytes().to_vec(), StringFormat::Literal)
    } else {
        let mut data = vec![0xFE, 0xFF];
        for unit in text.encode_utf16() {
            data.extend_from_slice(&unit.to_be_bytes());
        }
        Object::String(data, StringFormat::Hexadecimal)
    }
}

/// The `/Info` dictionary.
pub(super) fn info(info: &DocumentInfo) -> Result<Dictionary, PdfError> {
    let date = pdf_date(info.date)?;
    let mut dict = Dictionary::new();
    dict.set("Title", text_string(&info.title));
    if let Some(author) = &info.author {
        dict.set("Author", text_string(author));
    }
    if let Some(subject) = subject(info) {
        dict.set("Subject", text_string(subject));
    }
    if !info.keywords.is_empty() {
        dict.set("Keywords", text_string(&info.keywords.join(", ")));
    }
    dict.set("Creator", text_string(&info.creator));
    dict.set("Producer", text_string(PRODUCER));
    dict.set("CreationDate", Object::string_literal(date.clone()));
    dict.set("ModDate", Object::string_literal(date));
    dict.set("Trapped", Object::Name(b"False".to_vec()));
    Ok(dict)
}

fn subject(info: &DocumentInfo) -> Option<&str> {
    info.subject.as_deref().or(info.subtitle.as_deref())
}

/// The XMP packet, for the catalog's `/Metadata` stream.
pub(super) fn xmp(info: &DocumentInfo) -> Result<String, PdfError> {
    let date = xmp_date(info.date)?;
    let mut dc = String::new();
    dc.push_str(&format!(
        "<dc:format>application/pdf</dc:format>\n<dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">{}</rdf:li></rdf:Alt></dc:title>\n",
        esc(&info.title)
    ));
    if let Some(author) = &info.author {
        dc.push_str(&format!(
            "<dc:creator><rdf:Seq><rdf:li>{}</rdf:li></rdf:Seq></dc:creator>\n",
            esc(author)
        ));
    }
    if let Some(subject) = subject(info) {
        dc.push_str(&format!(
            "<dc:description><rdf:Alt><rdf:li xml:lang=\"x-default\">{}</rdf:li></rdf:Alt></dc:description>\n",
            esc(subject)
        ));
    }
    if !info.keywords.is_empty() {
        let items: String = info
            .keywords
            .iter()
            .map(|k| format!("<rdf:li>{}</rdf:li>", esc(k)))
            .collect();
        dc.push_str(&format!(
            "<dc:subject><rdf:Bag>{items}</rdf:Bag></dc:subject>\n"
        ));
    }
    if !info.language.is_empty() {
        dc.push_str(&format!(
            "<dc:language><rdf:Bag><rdf:li>{}</rdf:li></rdf:Bag></dc:language>\n",
            esc(&info.language)
        ));
    }
    if !info.identifier.is_empty() {
        dc.push_str(&format!(
            "<dc:identifier>{}</dc:identifier>\n",
            esc(&info.identifier)
        ));
    }
    let keywords = if info.keywords.is_empty() {
        String::new()
    } else {
        format!(
            "<pdf:Keywords>{}</pdf:Keywords>\n",
            esc(&info.keywords.join(", "))
        )
    };
    let ids = if info.identifier.is_empty() {
        String::new()
    } else {
        format!(
            "<xmpMM:DocumentID>{0}</xmpMM:DocumentID>\n<xmpMM:InstanceID>{0}</xmpMM:InstanceID>\n",
            esc(&info.identifier)
        )
    };
    Ok(format!(
        "<?xpacket begin=\"\u{feff}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n\
<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n\
<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n\
<rdf:Description rdf:about=\"\" \
xmlns:dc=\"http://purl.org/dc/elements/1.1/\" \
xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\" \
xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\" \
xmlns:xmpMM=\"http://ns.adobe.com/xap/1.0/mm/\">\n\
{dc}\
<xmp:CreateDate>{date}</xmp:CreateDate>\n\
<xmp:ModifyDate>{date}</xmp:ModifyDate>\n\
<xmp:MetadataDate>{date}</xmp:MetadataDate>\n\
<xmp:CreatorTool>{creator}</xmp:CreatorTool>\n\
<pdf:Producer>{producer}</pdf:Producer>\n\
{keywords}{ids}\
</rdf:Description>\n\
</rdf:RDF>\n\
</x:xmpmeta>\n\
<?xpacket end=\"r\"?>",
        creator = esc(&info.creator),
        producer = esc(PRODUCER),
    ))
}

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            // Characters XML 1.0 cannot hold at all.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

/// Civil date and time (UTC) of a Unix timestamp: (year, month, day, hour, minute, second).
fn civil(epoch: i64) -> Result<(i64, u32, u32, u32, u32, u32), PdfError> {
    let civil = crate::model::civil_from_unix(epoch);
    if !(0..=9999).contains(&civil.0) {
        return Err(PdfError(format!(
            "the date {epoch} (seconds since 1970) is not in the years 0–9999"
        )));
    }
    Ok(civil)
}

/// `D:YYYYMMDDHHmmSSZ`.
pub(super) fn pdf_date(epoch: i64) -> Result<String, PdfError> {
    let (y, mo, d, h, mi, s) = civil(epoch)?;
    Ok(format!("D:{y:04}{mo:02}{d:02}{h:02}{mi:02}{s:02}Z"))
}

/// `YYYY-MM-DDTHH:mm:SSZ`.
fn xmp_date(epoch: i64) -> Result<String, PdfError> {
    let (y, mo, d, h, mi, s) = civil(epoch)?;
    Ok(format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_from_the_epoch() {
        assert_eq!(pdf_date(0).unwrap(), "D:19700101000000Z");
        assert_eq!(pdf_date(951_782_400).unwrap(), "D:20000229000000Z");
        assert_eq!(xmp_date(1_700_000_000).unwrap(), "2023-11-14T22:13:20Z");
        assert_eq!(pdf_date(-1).unwrap(), "D:19691231235959Z");
        assert!(pdf_date(i64::MAX / 2).is_err());
    }
}
