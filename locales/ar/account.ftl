# الصفحة الرئيسية وصفحة الحساب.

## Home (home.html.tera).
home-welcome-back = مرحبًا بعودتك، { $name }
# $name when the profile has no name.
home-you = عميلنا العزيز
home-signed-in = لقد سجّلت الدخول.
home-signed-in-as = لقد سجّلت الدخول باسم { $email }.
home-account = حسابك
home-sign-out = تسجيل الخروج
home-welcome = مرحبًا بك في { $product }
home-not-signed-in = لم تسجّل الدخول.
home-sign-in = تسجيل الدخول

## Account (account.html.tera).
account-title = حسابك
account-sign-out = تسجيل الخروج
account-profile = الملف الشخصي
account-name = الاسم
account-email = البريد الإلكتروني
account-username = اسم المستخدم
account-groups = المجموعات
account-this-signin = تسجيل الدخول الحالي
account-signed-in-at = وقت تسجيل الدخول
account-methods-used = الطرق المستخدمة
account-kept-signed-in = إبقاء تسجيل الدخول
account-yes = نعم
account-no = لا
account-methods = طرق تسجيل الدخول
account-set-up = مُعدّة
account-not-set-up = غير مُعدّة
account-phones = الهواتف
account-verified = تم التحقق
account-not-verified = لم يتم التحقق
account-text-code = أرسل لي رمزًا برسالة نصية
account-call-code = اتصل بي لإبلاغي بالرمز
account-code-for = الرمز للرقم { $number }
account-verify = تحقّق
account-remove = إزالة { $number }
account-no-phone = لا يوجد هاتف بعد.
account-add-phone = إضافة هاتف
account-add-phone-hint = مع رمز الدولة، مثل { "\u2066" }+966 11 234 5678{ "\u2069" }.
account-add-phone-submit = إضافة الهاتف
account-methods-unavailable = تعذّر تحميل طرق تسجيل الدخول الخاصة بك الآن.
account-change-password = تغيير كلمة المرور
account-current-password = كلمة المرور الحالية
account-new-password = كلمة المرور الجديدة
account-new-password-again = تأكيد كلمة المرور الجديدة
account-change-password-submit = تغيير كلمة المرور
account-sessions = الجلسات النشطة
account-sign-out-everywhere = تسجيل الخروج من كل الأجهزة
account-device = الجهاز
account-ip = عنوان IP
account-signed-in = تسجيل الدخول
account-last-active = آخر نشاط
account-this-browser = هذا المتصفح
account-unknown-browser = متصفح غير معروف
account-userinfo = الملف الشخصي من Okta
account-userinfo-show = عرض البيانات (claims) التي أرسلتها Okta عنك
account-userinfo-unavailable = تعذّر تحميل ملفك الشخصي في Okta الآن.

## The line shown after an account action.
done-password-changed = تم تغيير كلمة المرور.
done-phone-added = تمت إضافة الهاتف. اطلب إرسال رمز إليه ثم أدخله للتحقق من الرقم.
done-code-sent = أرسلنا رمزًا إلى ذلك الهاتف.
done-phone-verified = تم التحقق من الهاتف: يمكنك الآن تسجيل الدخول به.
done-phone-removed = تمت إزالة الهاتف.

## Account form errors.
account-invalid-phone-number = أدخل الرقم مع رمز الدولة، مثل { "\u2066" }+966 11 234 5678{ "\u2069" }.
account-invalid-phone-choice = اختر أحد هواتفك.
account-invalid-current-password = كلمة المرور الحالية غير صحيحة.
account-invalid-code = لم يعمل هذا الرمز. تحقق منه وحاول مرة أخرى.
account-invalid-phone-refused = لم تقبل Okta هذا الرقم.
account-invalid-phone-state = لا يمكن إجراء ذلك الآن: الرقم مسجّل لك بالفعل، أو انتهت صلاحية الرمز (اطلب رمزًا جديدًا).
account-invalid-phone-gone = لم يعد هذا الهاتف مسجّلًا في حسابك.
account-invalid-reauth = لا يمكن إجراء هذا التغيير بتسجيل الدخول هذا. سجّل الخروج ثم سجّل الدخول مرة أخرى وأعد المحاولة.
account-invalid-current-password-empty = أدخل كلمة المرور الحالية.
account-invalid-phone-method = اختر رسالة نصية أو مكالمة.
account-invalid-code-digits = أدخل الرمز: أرقام فقط.
