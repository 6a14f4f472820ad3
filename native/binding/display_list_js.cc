#include "display_list_js.h"

namespace persona {

namespace {

Napi::Array colour(Napi::Env env, const Rgba& c) {
  Napi::Array a = Napi::Array::New(env, 4);
  a.Set(0u, c.r);
  a.Set(1u, c.g);
  a.Set(2u, c.b);
  a.Set(3u, c.a);
  return a;
}

}  // namespace

Napi::Array displayListToJs(Napi::Env env, const DisplayList& list) {
  const auto& items = list.items();
  Napi::Array out = Napi::Array::New(env, items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    const Primitive& q = items[i];
    Napi::Object o = Napi::Object::New(env);
    switch (q.shape) {
      case Shape::Capsule:
        o.Set("shape", "capsule");
        o.Set("ax", q.ax); o.Set("ay", q.ay); o.Set("bx", q.bx); o.Set("by", q.by);
        o.Set("ra", q.ra); o.Set("rb", q.rb);
        break;
      case Shape::Ellipse:
        o.Set("shape", "ellipse");
        o.Set("cx", q.cx); o.Set("cy", q.cy); o.Set("rx", q.rx); o.Set("ry", q.ry); o.Set("angle", q.angle);
        break;
      case Shape::Polygon: {
        o.Set("shape", "polygon");
        Napi::Array pts = Napi::Array::New(env, q.count * 2);
        const float* v = list.points().data() + q.first * 2;
        for (int k = 0; k < q.count * 2; ++k) pts.Set(static_cast<uint32_t>(k), v[k]);
        o.Set("points", pts);
        break;
      }
    }
    o.Set("fill", colour(env, q.paint.fill));
    o.Set("shadow", colour(env, q.paint.shadow));
    o.Set("outline", colour(env, q.paint.outline));
    o.Set("outlineWidth", q.paint.outlineWidth);
    o.Set("shaded", q.paint.shaded);
    o.Set("depth", q.depth);
    out.Set(static_cast<uint32_t>(i), o);
  }
  return out;
}

}  // namespace persona
