//! `#[derive(Encode, Decode)]` for Ringside's compact JSON codec
//! (`ringside::codec`).
//!
//! The wire format is declared once, by the `#[serde(...)]` attributes the
//! types already carry for the server's serde_json; these derives read the
//! same attributes, so the browser's codec cannot drift from them. Serde's
//! own derives are generic over every format, and in the browser build that
//! generality was most of the engine's size; this codec is monomorphic and
//! works on one small JSON tree.
//!
//! Supported: structs with named fields (`default`, `default = "path"`,
//! `skip_serializing_if = "path"`, container `default`,
//! `deny_unknown_fields`), newtype and tuple structs (`transparent`), and
//! externally tagged enums with `rename_all = "snake_case"`, generic or
//! not (each type parameter bounded by the derived trait). Anything else
//! is a compile error rather than a silent difference.

use proc_macro::TokenStream;
use proc_macro2::{Span, TokenStream as Tokens};
use quote::{format_ident, quote};
use syn::{parse_macro_input, Attribute, Data, DeriveInput, Fields, Ident, LitStr};

/// Derives `ringside::codec::Encode` from the type's serde attributes.
#[proc_macro_derive(Encode, attributes(serde))]
pub fn derive_encode(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand(&input, encode_body)
        .unwrap_or_else(|e| e.to_compile_error())
        .into()
}

/// Derives `ringside::codec::Decode` from the type's serde attributes.
#[proc_macro_derive(Decode, attributes(serde))]
pub fn derive_decode(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand(&input, decode_body)
        .unwrap_or_else(|e| e.to_compile_error())
        .into()
}

/// The serde attributes this codec understands, on a container or a field.
#[derive(Default)]
struct Serde {
    default: bool,
    default_fn: Option<syn::Path>,
    skip_if: Option<syn::Path>,
    snake_case: bool,
    transparent: bool,
    deny_unknown: bool,
}

fn serde_of(attrs: &[Attribute]) -> syn::Result<Serde> {
    let mut serde = Serde::default();
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        attr.parse_nested_meta(|meta| {
            let name = meta
                .path
                .get_ident()
                .map(Ident::to_string)
                .unwrap_or_default();
            match name.as_str() {
                "default" if meta.input.peek(syn::Token![=]) => {
                    serde.default_fn = Some(meta.value()?.parse::<LitStr>()?.parse()?);
                }
                "default" => serde.default = true,
                "skip_serializing_if" => {
                    serde.skip_if = Some(meta.value()?.parse::<LitStr>()?.parse()?)
                }
                "rename_all" => {
                    let rule = meta.value()?.parse::<LitStr>()?;
                    if rule.value() != "snake_case" {
                        return Err(meta.error("the codec knows rename_all = \"snake_case\" only"));
                    }
                    serde.snake_case = true;
                }
                "transparent" => serde.transparent = true,
                "deny_unknown_fields" => serde.deny_unknown = true,
                _ => return Err(meta.error("a serde attribute the codec does not implement")),
            }
            Ok(())
        })?;
    }
    Ok(serde)
}

fn no_unions(input: &DeriveInput) -> syn::Error {
    syn::Error::new_spanned(input, "the codec derives no unions")
}

type Body = fn(&DeriveInput, &Serde) -> syn::Result<Tokens>;

fn expand(input: &DeriveInput, body: Body) -> syn::Result<Tokens> {
    body(input, &serde_of(&input.attrs)?)
}

/// The impl's generics: the type's own, each type parameter bounded by the
/// codec trait being derived (`K: Encode` for `Encode`).
fn bounded(input: &DeriveInput, bound: Tokens) -> syn::Generics {
    let mut generics = input.generics.clone();
    for param in generics.type_params_mut() {
        param.bounds.push(syn::parse_quote!(#bound));
    }
    generics
}

/// serde's snake_case rule for variant names.
fn snake_case(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push('_');
        }
        out.extend(c.to_lowercase());
    }
    out
}

fn wire_name(ident: &Ident, snake: bool) -> LitStr {
    let name = ident.to_string();
    LitStr::new(
        &if snake { snake_case(&name) } else { name },
        Span::call_site(),
    )
}

fn encode_body(input: &DeriveInput, serde: &Serde) -> syn::Result<Tokens> {
    let name = &input.ident;
    let body = match &input.data {
        Data::Struct(data) => match &data.fields {
            Fields::Named(fields) => encode_object(fields, |f| quote!(&self.#f))?,
            Fields::Unnamed(fields) if fields.unnamed.len() == 1 => {
                quote!(::ringside::codec::Encode::encode(&self.0, out);)
            }
            Fields::Unnamed(fields) => {
                let items = (0..fields.unnamed.len())
                    .map(syn::Index::from)
                    .map(|i| quote!(&self.#i));
                encode_array(items)
            }
            Fields::Unit => quote!(out.push_str("null");),
        },
        Data::Enum(data) => {
            let arms = data.variants.iter().map(|variant| {
                let v = &variant.ident;
                let tag = wire_name(v, serde.snake_case);
                Ok(match &variant.fields {
                    Fields::Unit => quote!(#name::#v => ::ringside::codec::write_str(out, #tag),),
                    Fields::Unnamed(fields) => {
                        let binds: Vec<Ident> = (0..fields.unnamed.len())
                            .map(|i| format_ident!("f{i}"))
                            .collect();
                        let inner = if binds.len() == 1 {
                            quote!(::ringside::codec::Encode::encode(f0, out);)
                        } else {
                            encode_array(binds.iter().map(|b| quote!(#b)))
                        };
                        quote!(#name::#v(#(#binds),*) => {
                            ::ringside::codec::open_tag(out, #tag);
                            #inner
                            out.push('}');
                        })
                    }
                    Fields::Named(fields) => {
                        let binds: Vec<&Ident> = fields
                            .named
                            .iter()
                            .filter_map(|f| f.ident.as_ref())
                            .collect();
                        let inner = encode_object(fields, |f| quote!(#f))?;
                        quote!(#name::#v { #(#binds),* } => {
                            ::ringside::codec::open_tag(out, #tag);
                            #inner
                            out.push('}');
                        })
                    }
                })
            });
            let arms = arms.collect::<syn::Result<Vec<_>>>()?;
            quote!(match self { #(#arms)* })
        }
        Data::Union(_) => return Err(no_unions(input)),
    };
    let generics = bounded(input, quote!(::ringside::codec::Encode));
    let (generics, params, _) = generics.split_for_impl();
    Ok(quote! {
        impl #generics ::ringside::codec::Encode for #name #params {
            fn encode(&self, out: &mut ::alloc::string::String) { #body }
        }
    })
}

fn encode_array(items: impl Iterator<Item = Tokens>) -> Tokens {
    let items: Vec<Tokens> = items.collect();
    let commas = (0..items.len()).map(|i| {
        if i == 0 {
            quote!()
        } else {
            quote!(out.push(',');)
        }
    });
    quote! {
        out.push('[');
        #( #commas ::ringside::codec::Encode::encode(#items, out); )*
        out.push(']');
    }
}

/// Writes an object member by member. Separators are static text wherever
/// it is known whether a member came before; a flag decides only after a
/// member that `skip_serializing_if` may leave out.
fn encode_object(fields: &syn::FieldsNamed, access: impl Fn(&Ident) -> Tokens) -> syn::Result<Tokens> {
    #[derive(PartialEq)]
    enum Written {
        Nothing,
        Something,
        Unknown,
    }
    let mut written = Written::Nothing;
    let mut steps = Vec::new();
    let mut flag = false;
    for field in &fields.named {
        let ident = field.ident.as_ref().expect("named field");
        let value = access(ident);
        let skip = serde_of(&field.attrs)?.skip_if;
        let key = match written {
            Written::Something => LitStr::new(&format!(",\"{ident}\":"), Span::call_site()),
            _ => LitStr::new(&format!("\"{ident}\":"), Span::call_site()),
        };
        let dynamic = written == Written::Unknown || (written == Written::Nothing && skip.is_some());
        let write = if dynamic {
            flag = true;
            quote! {
                ::ringside::codec::key(out, &mut first, #key);
                ::ringside::codec::Encode::encode(#value, out);
            }
        } else {
            quote! {
                out.push_str(#key);
                ::ringside::codec::Encode::encode(#value, out);
            }
        };
        steps.push(match skip {
            Some(skip) => {
                if written != Written::Something {
                    written = Written::Unknown;
                }
                quote!(if !#skip(#value) { #write })
            }
            None => {
                written = Written::Something;
                write
            }
        });
    }
    let flag = flag.then(|| quote!(let mut first = true;));
    Ok(quote! {
        #flag
        out.push('{');
        #(#steps)*
        out.push('}');
    })
}

fn decode_body(input: &DeriveInput, serde: &Serde) -> syn::Result<Tokens> {
    let name = &input.ident;
    let body = match &input.data {
        Data::Struct(data) => match &data.fields {
            Fields::Named(fields) => decode_object(quote!(#name), fields, serde)?,
            Fields::Unnamed(fields) if fields.unnamed.len() == 1 => quote!(#name(::ringside::codec::Decode::decode(json, errors))),
            Fields::Unnamed(fields) => decode_tuple(quote!(#name), fields.unnamed.len()),
            Fields::Unit => quote! {
                ::ringside::codec::null(json, errors);
                #name
            },
        },
        Data::Enum(data) => {
            // Each form's tags in one table, looked up by one shared
            // function, then a match on the index: a jump table instead of
            // a string comparison per variant.
            let (mut unit_tags, mut units) = (Vec::new(), Vec::new());
            let (mut tagged_tags, mut tagged) = (Vec::new(), Vec::new());
            for variant in &data.variants {
                let v = &variant.ident;
                let tag = wire_name(v, serde.snake_case);
                let arm = match &variant.fields {
                    Fields::Unit => {
                        let index = units.len();
                        unit_tags.push(tag);
                        units.push(quote!(#index => #name::#v,));
                        continue;
                    }
                    Fields::Unnamed(fields) if fields.unnamed.len() == 1 => quote!(#name::#v(::ringside::codec::Decode::decode(json, errors))),
                    Fields::Unnamed(fields) => {
                        let inner = decode_tuple(quote!(#name::#v), fields.unnamed.len());
                        quote!({ #inner })
                    }
                    Fields::Named(fields) => {
                        let inner = decode_object(quote!(#name::#v), fields, &Serde::default())?;
                        quote!({ #inner })
                    }
                };
                let index = tagged.len();
                tagged_tags.push(tag);
                tagged.push(quote!(#index => #arm,));
            }
            quote! {
                match ::ringside::codec::variant(json, errors) {
                    ::ringside::codec::Variant::Unit(tag) => match ::ringside::codec::tag_index(&tag, &[#(#unit_tags),*], errors) {
                        #(#units)*
                        _ => <Self as ::ringside::codec::Decode>::placeholder(),
                    },
                    ::ringside::codec::Variant::Tagged(tag, json) => match ::ringside::codec::tag_index(&tag, &[#(#tagged_tags),*], errors) {
                        #(#tagged)*
                        _ => <Self as ::ringside::codec::Decode>::placeholder(),
                    },
                }
            }
        }
        Data::Union(_) => return Err(no_unions(input)),
    };
    let generics = bounded(input, quote!(::ringside::codec::Decode));
    let (generics, params, _) = generics.split_for_impl();
    let placeholder = placeholder(input)?;
    Ok(quote! {
        impl #generics ::ringside::codec::Decode for #name #params {
            #[allow(unused_mut, unused_variables)]
            fn decode(json: ::ringside::codec::Json, errors: &mut ::ringside::codec::Errors) -> Self { #body }
            fn placeholder() -> Self { #placeholder }
        }
    })
}

/// Reads an array of `count` items into `path(items)`.
fn decode_tuple(path: Tokens, count: usize) -> Tokens {
    let items = (0..count).map(|_| quote!(::ringside::codec::Decode::decode(items.next().unwrap_or_default(), errors)));
    quote! {
        let mut items = ::ringside::codec::array(json, #count, errors).into_iter();
        #path(#(#items),*)
    }
}

/// Reads an object into `path { fields }`: each field taken by name, a
/// missing one from its default (serde's rules), unknown ones ignored unless
/// the container denies them. Errors go to `errors`, with placeholders in
/// their place (see `ringside::codec::Errors`).
fn decode_object(path: Tokens, fields: &syn::FieldsNamed, container: &Serde) -> syn::Result<Tokens> {
    let mut reads = Vec::new();
    for field in &fields.named {
        let ident = field.ident.as_ref().expect("named field");
        let ty = &field.ty;
        let key = LitStr::new(&ident.to_string(), Span::call_site());
        let attrs = serde_of(&field.attrs)?;
        let take = quote!(object.take(#key, errors));
        let decode = quote!(::ringside::codec::Decode::decode(json, errors));
        let read = if let Some(default_fn) = attrs.default_fn {
            quote!(::ringside::codec::decode_or(#take, errors, #default_fn))
        } else if attrs.default {
            quote!(::ringside::codec::decode_or::<#ty>(#take, errors, ::core::default::Default::default))
        } else if container.default {
            quote!(match #take { ::ringside::codec::Json::Missing => container_default.#ident, json => #decode })
        } else {
            quote!(::ringside::codec::Decode::decode(#take, errors))
        };
        reads.push(quote!(#ident: #read,));
    }
    let container_default = container.default.then(|| quote!(let container_default: Self = ::core::default::Default::default();));
    let deny = container.deny_unknown;
    Ok(quote! {
        let mut object = ::ringside::codec::object(json, errors);
        #container_default
        let value = #path { #(#reads)* };
        object.finish(#deny, errors);
        value
    })
}

/// A value of the type to stand in for a field that failed to read (never
/// returned: the error is). The first variant of an enum.
fn placeholder(input: &DeriveInput) -> syn::Result<Tokens> {
    let name = &input.ident;
    let fill = |fields: &Fields, path: Tokens| match fields {
        Fields::Named(fields) => {
            let idents = fields.named.iter().filter_map(|f| f.ident.as_ref());
            quote!(#path { #(#idents: ::ringside::codec::Decode::placeholder(),)* })
        }
        Fields::Unnamed(fields) => {
            let items = fields.unnamed.iter().map(|_| quote!(::ringside::codec::Decode::placeholder()));
            quote!(#path(#(#items),*))
        }
        Fields::Unit => path,
    };
    match &input.data {
        Data::Struct(data) => Ok(fill(&data.fields, quote!(#name))),
        Data::Enum(data) => {
            let first = data.variants.first().ok_or_else(|| syn::Error::new_spanned(input, "the codec derives no empty enums"))?;
            let v = &first.ident;
            Ok(fill(&first.fields, quote!(#name::#v)))
        }
        Data::Union(_) => Err(no_unions(input)),
    }
}
