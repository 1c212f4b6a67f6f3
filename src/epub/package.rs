//! Step 3: hand everything to `epub-builder` (the only place the crate is used), which writes
//! `META-INF/container.xml` and the OPF's manifest, spine and `<guide>` (Kindle looks for the
//! body start there).
//!
//! What it gets wrong is fixed in [`super::repack`]; its `nav.xhtml` and `toc.ncx` are
//! replaced by ours ([`super::nav`]).

use epub_builder::{EpubBuilder, EpubContent, EpubVersion, ReferenceType, ZipLibrary};

use super::pagebreaks::PageList;
use super::pages::{Rendered, generator};
use super::plan::{DocKind, Plan, labels};
use super::{EpubError, EpubOptions, STYLESHEET, meta};

/// The archive as epub-builder writes it (not yet reproducible: see `repack`).
pub(crate) fn build(
    plan: &Plan,
    options: &EpubOptions,
    documents: &[Rendered],
    page_list: Option<&PageList>,
) -> Result<Vec<u8>, EpubError> {
    let book_meta = &plan.book.meta;
    let mut builder = EpubBuilder::new(ZipLibrary::new()?)?;
    builder.epub_version(EpubVersion::V33);
    // These setters escape their text themselves.
    builder.set_title(book_meta.title.as_str());
    builder.add_language(plan.lang());
    builder.set_toc_name(labels::CONTENTS);
    builder.set_generator(generator(options));
    if let Some(description) = &book_meta.description {
        builder.add_description(description.as_str());
    }
    for subject in &book_meta.subjects {
        builder.add_subject(subject.as_str());
    }
    if let Some(rights) = &book_meta.rights {
        builder.set_license(rights.as_str());
    }
    for item in meta::properties(plan, page_list) {
        builder.add_metadata_opf(Box::new(item));
    }
    builder.stylesheet(STYLESHEET.as_bytes())?;

    if let (Some(path), Some(cover)) = (&plan.cover_image, &options.cover) {
        builder.add_cover_image(path, cover.bytes.as_slice(), cover.format.media_type())?;
    }
    for (asset, path) in plan.book.assets.iter().zip(&plan.images) {
        builder.add_resource(path, asset.bytes.as_slice(), asset.format.media_type())?;
    }

    if documents.len() != plan.docs.len() {
        return Err(EpubError::new("a document was not rendered"));
    }
    for (d, (doc, rendered)) in plan.docs.iter().zip(documents).enumerate() {
        let mut content =
            EpubContent::new(rendered.file.as_str(), rendered.xhtml.as_bytes()).title(&doc.title);
        let reftype = match doc.kind {
            DocKind::Cover => Some(ReferenceType::Cover),
            DocKind::TitlePage => Some(ReferenceType::TitlePage),
            DocKind::Colophon => Some(ReferenceType::Colophon),
            _ if d == plan.body_start => Some(ReferenceType::Text),
            _ => None,
        };
        if let Some(reftype) = reftype {
            content = content.reftype(reftype);
        }
        builder.add_content(content)?;
    }

    let mut out = Vec::new();
    builder.generate(&mut out)?;
    Ok(out)
}
