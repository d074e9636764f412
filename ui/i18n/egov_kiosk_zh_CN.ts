<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en_US">
<context>
    <name>AddressPicker</name>
    <message>
        <source>Choose province, city and county</source>
        <translation>请选择省、市、区县</translation>
    </message>
    <message>
        <source>Change</source>
        <translation>更改</translation>
    </message>
    <message>
        <source>Street, building and room number</source>
        <translation>街道、楼栋和门牌号</translation>
    </message>
    <message>
        <source>Choose the province</source>
        <translation>请选择省份</translation>
    </message>
    <message>
        <source>Choose the city</source>
        <translation>请选择城市</translation>
    </message>
    <message>
        <source>Choose the county or district</source>
        <translation>请选择区县</translation>
    </message>
    <message>
        <source>All provinces</source>
        <translation>全部省份</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
</context>
<context>
    <name>AttractScreen</name>
    <message>
        <source>Welcome to the self-service terminal</source>
        <translation>欢迎使用政务服务自助终端</translation>
    </message>
    <message>
        <source>Touch a service to begin</source>
        <translation>请点击您要办理的事项</translation>
    </message>
    <message>
        <source>To print a certificate, touch Print a certificate.</source>
        <translation>打印证明，请点击“证明打印”。</translation>
    </message>
    <message>
        <source>Elder mode is on: large text and buttons. Touch here to switch it off.</source>
        <translation>长辈版已开启：大字体、大按钮。点此处可关闭。</translation>
    </message>
    <message>
        <source>Elder mode: large text and buttons. Touch here to switch it on.</source>
        <translation>长辈版：大字体、大按钮。点此处开启。</translation>
    </message>
    <message>
        <source>Elder mode</source>
        <translation>长辈版</translation>
    </message>
    <message>
        <source>On: large text and buttons</source>
        <translation>已开启：大字体、大按钮</translation>
    </message>
    <message>
        <source>Large text and buttons</source>
        <translation>大字体、大按钮</translation>
    </message>
    <message>
        <source>Check progress</source>
        <translation>办理进度查询</translation>
    </message>
    <message>
        <source>Check the progress of your applications</source>
        <translation>查询您申请事项的办理进度</translation>
    </message>
    <message>
        <source>Print a certificate</source>
        <translation>证明打印</translation>
    </message>
</context>
<context>
    <name>BusyScreen</name>
    <message>
        <source>Printing your receipt…</source>
        <translation>正在打印回执…</translation>
    </message>
    <message>
        <source>Submitting your application…</source>
        <translation>正在提交申请…</translation>
    </message>
    <message>
        <source>Please take your receipt from the slot below the screen.</source>
        <translation>请从屏幕下方出纸口取走回执。</translation>
    </message>
    <message>
        <source>Please wait a moment and do not leave yet.</source>
        <translation>请稍候，暂时不要离开。</translation>
    </message>
    <message>
        <source>Receipt number: %1</source>
        <translation>受理编号：%1</translation>
    </message>
</context>
<context>
    <name>CardReminder</name>
    <message>
        <source>Demonstration: take the document off the reader</source>
        <translation>演示模式：从模拟读卡器上取走证件</translation>
    </message>
</context>
<context>
    <name>CertificatesScreen</name>
    <message>
        <source>Print a certificate</source>
        <translation>证明打印</translation>
    </message>
    <message>
        <source>Certificates available: %1</source>
        <translation>可打印的证明：%1份</translation>
    </message>
    <message>
        <source>Issued by %1</source>
        <translation>出具单位：%1</translation>
    </message>
    <message>
        <source>Issued on %1</source>
        <translation>出具日期：%1</translation>
    </message>
    <message>
        <source>Case %1</source>
        <translation>受理编号 %1</translation>
    </message>
    <message>
        <source>First page of the certificate</source>
        <translation>证明第一页</translation>
    </message>
    <message>
        <source>Another certificate</source>
        <translation>打印其他证明</translation>
    </message>
    <message>
        <source>Back to the list</source>
        <translation>返回列表</translation>
    </message>
    <message>
        <source>Try again</source>
        <translation>重试</translation>
    </message>
    <message>
        <source>Call staff</source>
        <translation>呼叫工作人员</translation>
    </message>
    <message>
        <source>Print again</source>
        <translation>重新打印</translation>
    </message>
    <message>
        <source>Print</source>
        <translation>打印</translation>
    </message>
    <message>
        <source>Finish</source>
        <translation>完成</translation>
    </message>
</context>
<context>
    <name>DatePicker</name>
    <message>
        <source>Choose a date</source>
        <translation>选择日期</translation>
    </message>
    <message>
        <source>Touch a value or turn the wheels, then touch OK.</source>
        <translation>点选数值或上下滑动滚轮，然后点击“确定”。</translation>
    </message>
    <message>
        <source>Year</source>
        <translation>年</translation>
    </message>
    <message>
        <source>Month</source>
        <translation>月</translation>
    </message>
    <message>
        <source>Day</source>
        <translation>日</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>OK</source>
        <translation>确定</translation>
    </message>
</context>
<context>
    <name>DoneScreen</name>
    <message>
        <source>Your application has been submitted</source>
        <translation>您的申请已提交</translation>
    </message>
    <message>
        <source>Receipt number: %1</source>
        <translation>受理编号：%1</translation>
    </message>
    <message>
        <source>Receipt number</source>
        <translation>受理编号</translation>
    </message>
    <message>
        <source>Please take your receipt. Keep it to check the progress of your application.</source>
        <translation>请取走回执并妥善保管，凭回执可查询办理进度。</translation>
    </message>
    <message>
        <source>The printer is unavailable. Please note this number.</source>
        <translation>打印机暂不可用，请记下此受理编号。</translation>
    </message>
    <message>
        <source>Scan this code with your phone to keep a copy of your receipt. Staff have been told about the printer.</source>
        <translation>请用手机扫描此二维码保存回执信息。已通知工作人员处理打印机。</translation>
    </message>
    <message>
        <source>Nothing of your application stays on this screen once you touch &quot;Finish&quot;.</source>
        <translation>点击“完成”后，您的信息将从本机屏幕上清除。</translation>
    </message>
    <message>
        <source>Returning to the start screen in %1 s</source>
        <translation>%1 秒后自动返回首页</translation>
    </message>
    <message>
        <source>Finish</source>
        <translation>完成</translation>
    </message>
</context>
<context>
    <name>FaceScreen</name>
    <message>
        <source>Is this photo clear?</source>
        <translation>照片是否清晰？</translation>
    </message>
    <message>
        <source>Look at the camera</source>
        <translation>请正视摄像头</translation>
    </message>
    <message>
        <source>Your whole face should be visible, without a hat or sunglasses.</source>
        <translation>请露出完整面部，不要戴帽子或墨镜。</translation>
    </message>
    <message>
        <source>Place your face inside the oval, then touch &quot;Take photo&quot;.</source>
        <translation>请将面部置于椭圆框内，然后点击“拍照”。</translation>
    </message>
    <message>
        <source>Take photo</source>
        <translation>拍照</translation>
    </message>
    <message>
        <source>Take again</source>
        <translation>重新拍摄</translation>
    </message>
    <message>
        <source>Use this photo</source>
        <translation>使用这张照片</translation>
    </message>
</context>
<context>
    <name>FormField</name>
    <message>
        <source>Required</source>
        <translation>必填</translation>
    </message>
    <message>
        <source>YYYY-MM-DD</source>
        <translation>年-月-日，如 2024-05-01</translation>
    </message>
    <message>
        <source>Choose date</source>
        <translation>选择日期</translation>
    </message>
</context>
<context>
    <name>FormScreen</name>
    <message>
        <source>Fill in the form</source>
        <translation>填写表单</translation>
    </message>
    <message>
        <source>Check the answers filled in from your document and complete the rest.</source>
        <translation>请核对根据证件自动填写的内容，并补充其余信息。</translation>
    </message>
    <message>
        <source>Next: check your application</source>
        <translation>下一步：核对申请信息</translation>
    </message>
</context>
<context>
    <name>Header</name>
    <message>
        <source>Government Services Self-Service</source>
        <translation>政务服务自助终端</translation>
    </message>
</context>
<context>
    <name>IdentifyScreen</name>
    <message>
        <source>Place your ID card on the reader</source>
        <translation>请将证件放在读卡区</translation>
    </message>
    <message>
        <source>Resident ID card: lay it flat on the reader below the screen. Passport: open it at the photo page and place it face down.</source>
        <translation>居民身份证：平放在屏幕下方的读卡区。护照：翻到照片页，照片面朝下放置。</translation>
    </message>
    <message>
        <source>Reader</source>
        <translation>读卡区</translation>
    </message>
    <message>
        <source>No ID card with you? You can identify with your online ID credential instead.</source>
        <translation>未带身份证件？可使用网证（国家网络身份认证）核验身份。</translation>
    </message>
    <message>
        <source>Use the online ID QR code</source>
        <translation>使用网证二维码</translation>
    </message>
    <message>
        <source>Open the National Online Identity Authentication app, show its QR code and hold your phone under the scanner below the screen.</source>
        <translation>请打开“国家网络身份认证”应用，出示网证二维码，将手机放在屏幕下方的扫码区。</translation>
    </message>
    <message>
        <source>Demonstration: show a sample online ID code to the simulated scanner</source>
        <translation>演示：向模拟扫码器出示示例网证二维码</translation>
    </message>
    <message>
        <source>Passport found. Type the passport number, your date of birth and the expiry date as printed on the photo page (dates as YYMMDD), or the 6-digit card access number (CAN).</source>
        <translation>已识别到护照。请按照片页上的内容输入护照号码、出生日期和有效期至（日期为六位数字 YYMMDD），或输入 6 位卡片访问码（CAN）。</translation>
    </message>
    <message>
        <source>Please check: passport number letters and digits, dates as six digits (YYMMDD), CAN as six digits.</source>
        <translation>请检查：护照号码为字母和数字，日期为六位数字（YYMMDD），CAN 为六位数字。</translation>
    </message>
    <message>
        <source>The passport did not accept these details. Please check them and try again.</source>
        <translation>护照芯片未接受以上信息，请核对后重试。</translation>
    </message>
    <message>
        <source>Passport number</source>
        <translation>护照号码</translation>
    </message>
    <message>
        <source>Date of birth (YYMMDD)</source>
        <translation>出生日期（YYMMDD）</translation>
    </message>
    <message>
        <source>Expiry date (YYMMDD)</source>
        <translation>有效期至（YYMMDD）</translation>
    </message>
    <message>
        <source>or card access number (CAN)</source>
        <translation>或卡片访问码（CAN）</translation>
    </message>
    <message>
        <source>Open the passport</source>
        <translation>读取护照</translation>
    </message>
    <message>
        <source>Keep the document still until the next screen appears.</source>
        <translation>请保持证件不动，直到进入下一页面。</translation>
    </message>
    <message>
        <source>Demonstration: choose a sample document to place on the simulated reader</source>
        <translation>演示模式：请选择一份示例证件放到模拟读卡器上</translation>
    </message>
</context>
<context>
    <name>IdleOverlay</name>
    <message>
        <source>Are you still there?</source>
        <translation>您还在吗？</translation>
    </message>
    <message>
        <source>For your privacy, your application will be cleared when the countdown ends. Touch the screen to continue.</source>
        <translation>为保护您的隐私，倒计时结束后将清除本次填写的信息。点击屏幕可继续办理。</translation>
    </message>
    <message>
        <source>Continue</source>
        <translation>继续办理</translation>
    </message>
</context>
<context>
    <name>Main</name>
    <message>
        <source>Government Services Self-Service</source>
        <translation>政务服务自助终端</translation>
    </message>
</context>
<context>
    <name>MaintenanceDevices</name>
    <message>
        <source>ID document reader</source>
        <translation>证件阅读器</translation>
    </message>
    <message>
        <source>Camera</source>
        <translation>摄像头</translation>
    </message>
    <message>
        <source>Receipt printer</source>
        <translation>回执打印机</translation>
    </message>
    <message>
        <source>A4 document printer</source>
        <translation>A4 文档打印机</translation>
    </message>
    <message>
        <source>QR code scanner</source>
        <translation>扫码器</translation>
    </message>
    <message>
        <source>Ready</source>
        <translation>正常</translation>
    </message>
    <message>
        <source>Offline</source>
        <translation>离线</translation>
    </message>
    <message>
        <source>Not connected</source>
        <translation>未连接</translation>
    </message>
    <message>
        <source>Hardware error</source>
        <translation>硬件故障</translation>
    </message>
    <message>
        <source>Needs attention</source>
        <translation>需要处理</translation>
    </message>
    <message>
        <source>Busy</source>
        <translation>忙</translation>
    </message>
    <message>
        <source>Starting</source>
        <translation>正在启动</translation>
    </message>
    <message>
        <source>Staff can fix this (paper, jam, cable).</source>
        <translation>工作人员可现场处理（纸张、卡纸、线缆）。</translation>
    </message>
    <message>
        <source>Call a field engineer.</source>
        <translation>请联系维修工程师。</translation>
    </message>
    <message>
        <source>Check the configuration.</source>
        <translation>请检查配置。</translation>
    </message>
    <message>
        <source>Software problem: export the logs.</source>
        <translation>软件问题：请导出日志。</translation>
    </message>
    <message>
        <source>Restart the terminal to reset the device.</source>
        <translation>重启终端以复位设备。</translation>
    </message>
    <message>
        <source>Do not use the device for now.</source>
        <translation>暂停使用该设备。</translation>
    </message>
    <message>
        <source>Model %1 · serial %2 · firmware %3 · backend %4</source>
        <translation>型号 %1 · 序列号 %2 · 固件 %3 · 驱动 %4</translation>
    </message>
    <message>
        <source>Test read</source>
        <translation>测试读卡</translation>
    </message>
    <message>
        <source>Print a test page</source>
        <translation>打印测试页</translation>
    </message>
    <message>
        <source>Stop preview</source>
        <translation>停止预览</translation>
    </message>
    <message>
        <source>Camera preview</source>
        <translation>摄像头预览</translation>
    </message>
    <message>
        <source>Place a card on the reader within 15 s. Only the document type is shown.</source>
        <translation>请在 15 秒内放置证件。只显示证件类型。</translation>
    </message>
    <message>
        <source>Voice guidance</source>
        <translation>语音引导</translation>
    </message>
    <message>
        <source>Off in the configuration</source>
        <translation>已在配置中关闭</translation>
    </message>
    <message>
        <source>Stopped: the engine hung</source>
        <translation>已停止：语音引擎无响应</translation>
    </message>
    <message>
        <source>Not available</source>
        <translation>不可用</translation>
    </message>
    <message>
        <source>Engine %1 · Chinese voice %2 · English voice %3</source>
        <translation>引擎 %1 · 中文语音 %2 · 英文语音 %3</translation>
    </message>
    <message>
        <source>Run kioskctl doctor for the fix, then restart the terminal.</source>
        <translation>请运行 kioskctl doctor 查看修复方法，然后重启终端。</translation>
    </message>
</context>
<context>
    <name>MaintenanceResult</name>
    <message>
        <source>Resident ID card</source>
        <translation>居民身份证</translation>
    </message>
    <message>
        <source>Residence permit for Hong Kong, Macao and Taiwan residents</source>
        <translation>港澳台居民居住证</translation>
    </message>
    <message>
        <source>Foreign permanent resident ID card</source>
        <translation>外国人永久居留身份证</translation>
    </message>
    <message>
        <source>Passport</source>
        <translation>护照</translation>
    </message>
    <message>
        <source>Read OK: %1</source>
        <translation>读卡成功：%1</translation>
    </message>
    <message>
        <source>Read failed: %1</source>
        <translation>读卡失败：%1</translation>
    </message>
    <message>
        <source>Test page printed (%1)</source>
        <translation>测试页已打印（%1）</translation>
    </message>
    <message>
        <source>Test print failed: %1</source>
        <translation>测试打印失败：%1</translation>
    </message>
    <message>
        <source>Sync completed.</source>
        <translation>同步完成。</translation>
    </message>
    <message>
        <source>Nothing is waiting to be sent; a sync round has started.</source>
        <translation>没有待发送的数据；已开始一轮同步。</translation>
    </message>
    <message>
        <source>Sync failed: %1</source>
        <translation>同步失败：%1</translation>
    </message>
    <message>
        <source>This terminal is not enrolled yet.</source>
        <translation>本终端尚未注册。</translation>
    </message>
    <message>
        <source>Receipt %1 reprinted.</source>
        <translation>回执 %1 已补打。</translation>
    </message>
    <message>
        <source>Reprint failed: %1</source>
        <translation>补打失败：%1</translation>
    </message>
    <message>
        <source>Catalog in use: %1</source>
        <translation>当前事项目录：%1</translation>
    </message>
    <message>
        <source>Enrolled as %1</source>
        <translation>已注册为 %1</translation>
    </message>
    <message>
        <source>Enrollment failed: %1</source>
        <translation>注册失败：%1</translation>
    </message>
    <message>
        <source>No USB stick found. Insert one and try again.</source>
        <translation>未找到 U 盘。请插入后重试。</translation>
    </message>
    <message>
        <source>Logs exported to %1</source>
        <translation>日志已导出到 %1</translation>
    </message>
    <message>
        <source>Export failed: %1</source>
        <translation>导出失败：%1</translation>
    </message>
    <message>
        <source>Working…</source>
        <translation>正在处理…</translation>
    </message>
</context>
<context>
    <name>MaintenanceScreen</name>
    <message>
        <source>No staff member is set up on this terminal (kioskctl staff add).</source>
        <translation>本终端尚未设置工作人员（kioskctl staff add）。</translation>
    </message>
    <message>
        <source>Too many wrong PINs. Try again in %1 s.</source>
        <translation>PIN 错误次数过多。请 %1 秒后再试。</translation>
    </message>
    <message>
        <source>You can try again now.</source>
        <translation>现在可以再试。</translation>
    </message>
    <message>
        <source>Wrong PIN. Attempts left before the pad locks: %1</source>
        <translation>PIN 错误。锁定前剩余尝试次数：%1</translation>
    </message>
    <message>
        <source>Staff sign-in</source>
        <translation>工作人员登录</translation>
    </message>
    <message>
        <source>Enter your staff PIN.</source>
        <translation>请输入您的工作人员 PIN。</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Maintenance</source>
        <translation>运维</translation>
    </message>
    <message>
        <source>Signed in: %1 (%2)</source>
        <translation>已登录：%1（%2）</translation>
    </message>
    <message>
        <source>Signing out in %1 s without a touch.</source>
        <translation>无操作 %1 秒后自动退出。</translation>
    </message>
    <message>
        <source>Sign out</source>
        <translation>退出登录</translation>
    </message>
    <message>
        <source>Devices</source>
        <translation>设备</translation>
    </message>
    <message>
        <source>Queue and sync</source>
        <translation>队列与同步</translation>
    </message>
    <message>
        <source>System</source>
        <translation>系统</translation>
    </message>
</context>
<context>
    <name>MaintenanceSync</name>
    <message>
        <source>The platform operators revoked this terminal: call them.</source>
        <translation>平台管理员已停用本终端：请联系他们。</translation>
    </message>
    <message>
        <source>Set the terminal clock right, then sync now.</source>
        <translation>请校准终端时钟，然后立即同步。</translation>
    </message>
    <message>
        <source>Enroll the terminal with a token from the platform operators.</source>
        <translation>请使用平台管理员提供的令牌注册本终端。</translation>
    </message>
    <message>
        <source>The platform does not know this terminal&apos;s key: ask the platform operators for a token bound to this terminal and re-key it (kioskctl rekey --token).</source>
        <translation>平台不认识本终端的密钥：请向平台管理员索取绑定本终端的令牌，并更换密钥（kioskctl rekey --token）。</translation>
    </message>
    <message>
        <source>Check the clock, then sync now; if the platform refuses again, call the platform operators.</source>
        <translation>请检查时钟，然后立即同步；如平台仍然拒绝，请联系平台管理员。</translation>
    </message>
    <message>
        <source>Being sent</source>
        <translation>发送中</translation>
    </message>
    <message>
        <source>Applications waiting to be sent</source>
        <translation>待发送的申报</translation>
    </message>
    <message>
        <source>Applications delivered</source>
        <translation>已送达的申报</translation>
    </message>
    <message>
        <source>Quarantined</source>
        <translation>已隔离</translation>
    </message>
    <message>
        <source>Ratings waiting / delivered</source>
        <translation>好差评 待发送 / 已送达</translation>
    </message>
    <message>
        <source>Oldest unsent</source>
        <translation>最早未发送</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>Paused: the platform refused this terminal (%1). %2</source>
        <translation>已暂停：平台拒绝了本终端（%1）。%2</translation>
    </message>
    <message>
        <source>Platform status of recent applications:</source>
        <translation>近期申请在平台的办理状态：</translation>
    </message>
    <message>
        <source>Receipts never printed (the terminal stopped after storing the application). Reprint each one for its citizen:</source>
        <translation>以下回执未打印（终端在保存申请后停止运行）。请逐一补打并交给申请人：</translation>
    </message>
    <message>
        <source>Reprint</source>
        <translation>补打</translation>
    </message>
    <message>
        <source>Sync now</source>
        <translation>立即同步</translation>
    </message>
    <message>
        <source>Service catalog: %1</source>
        <translation>事项目录：%1</translation>
    </message>
    <message>
        <source>Refresh the catalog</source>
        <translation>刷新事项目录</translation>
    </message>
</context>
<context>
    <name>MaintenanceSystem</name>
    <message>
        <source>Software %1, on trial after an update</source>
        <translation>软件版本 %1（更新后试运行中）</translation>
    </message>
    <message>
        <source>Software %1</source>
        <translation>软件版本 %1</translation>
    </message>
    <message>
        <source>Software version not known (not installed as a release)</source>
        <translation>软件版本未知（未按发布版本安装）</translation>
    </message>
    <message>
        <source>Update %1 downloading: %2 %</source>
        <translation>正在下载更新 %1：%2 %</translation>
    </message>
    <message>
        <source>Update %1 was rolled back: %2</source>
        <translation>更新 %1 已回退：%2</translation>
    </message>
    <message>
        <source>Enrolled as %1 with %2</source>
        <translation>已在 %2 注册为 %1</translation>
    </message>
    <message>
        <source>Not enrolled: submissions are refused until this terminal is enrolled.</source>
        <translation>未注册：注册前本终端不受理申请。</translation>
    </message>
    <message>
        <source>Enroll with a one-time token</source>
        <translation>使用一次性令牌注册</translation>
    </message>
    <message>
        <source>Type the token from the platform operators (24 characters, 0-9 and A-F).</source>
        <translation>请输入平台运营人员提供的令牌（24 位，0-9 和 A-F）。</translation>
    </message>
    <message>
        <source>Enroll</source>
        <translation>注册</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Export to: %1</source>
        <translation>导出到：%1</translation>
    </message>
    <message>
        <source>No USB stick found. Insert one, then export.</source>
        <translation>未找到 U 盘。请插入后再导出。</translation>
    </message>
    <message>
        <source>Export logs (no personal data)</source>
        <translation>导出日志（不含个人信息）</translation>
    </message>
    <message>
        <source>Tap again to restart now</source>
        <translation>再点一次立即重启</translation>
    </message>
    <message>
        <source>Restart the terminal</source>
        <translation>重启终端</translation>
    </message>
</context>
<context>
    <name>MaterialsScreen</name>
    <message>
        <source>Scan your documents</source>
        <translation>材料扫描</translation>
    </message>
    <message>
        <source>Lay each page flat under the document camera. It is taken by itself when it lies still.</source>
        <translation>请将材料逐页平放在高拍仪下方，放稳后将自动拍摄。</translation>
    </message>
    <message>
        <source>Take it now</source>
        <translation>立即拍摄</translation>
    </message>
    <message>
        <source>Demo: next page</source>
        <translation>演示：放下一页</translation>
    </message>
    <message>
        <source>Demo: glare</source>
        <translation>演示：反光</translation>
    </message>
    <message>
        <source>Demo: blurred</source>
        <translation>演示：模糊</translation>
    </message>
    <message>
        <source>Required</source>
        <translation>必须提交</translation>
    </message>
    <message>
        <source>If applicable</source>
        <translation>如有</translation>
    </message>
    <message>
        <source>%1 of %2 pages</source>
        <translation>已拍 %1 页，共需 %2 页</translation>
    </message>
    <message>
        <source>Retake</source>
        <translation>重拍</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Continue</source>
        <translation>继续办理</translation>
    </message>
    <message>
        <source>Scan the required documents first</source>
        <translation>请先扫描必须提交的材料</translation>
    </message>
</context>
<context>
    <name>NavBar</name>
    <message>
        <source>Staff have been called and are on their way. Please stay here.</source>
        <translation>已呼叫工作人员，请在此稍候。</translation>
    </message>
    <message>
        <source>Start again</source>
        <translation>返回首页</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消办理</translation>
    </message>
    <message>
        <source>‹ Back</source>
        <translation>‹ 返回上一步</translation>
    </message>
    <message>
        <source>Repeat</source>
        <translation>重听</translation>
    </message>
    <message>
        <source>Say it again</source>
        <translation>再说一遍</translation>
    </message>
    <message>
        <source>Turn voice on</source>
        <translation>开启语音</translation>
    </message>
    <message>
        <source>Turn voice off</source>
        <translation>关闭语音</translation>
    </message>
    <message>
        <source>Call staff</source>
        <translation>呼叫工作人员</translation>
    </message>
</context>
<context>
    <name>NoticeScreen</name>
    <message>
        <source>Before you apply</source>
        <translation>申报须知</translation>
    </message>
    <message>
        <source>Please read the notice and have the listed documents ready, then touch &quot;I have read it, continue&quot;.</source>
        <translation>请阅读须知并备好所列材料，然后点击“我已阅读，继续”。</translation>
    </message>
    <message>
        <source>Please have ready</source>
        <translation>请准备以下材料</translation>
    </message>
    <message>
        <source>Fee</source>
        <translation>收费标准</translation>
    </message>
    <message>
        <source>Processing time</source>
        <translation>办理时限</translation>
    </message>
    <message>
        <source>Collection</source>
        <translation>领取方式</translation>
    </message>
    <message>
        <source>I have read it, continue</source>
        <translation>我已阅读，继续办理</translation>
    </message>
</context>
<context>
    <name>PinPad</name>
    <message>
        <source>OK</source>
        <translation>确定</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
</context>
<context>
    <name>ProgressScreen</name>
    <message>
        <source>Progress of your applications</source>
        <translation>办理进度查询</translation>
    </message>
    <message>
        <source>Newest first. Touch &quot;Print progress slip&quot; to take the details with you.</source>
        <translation>最新的办件排在最前。点击“打印进度凭条”可带走查询结果。</translation>
    </message>
    <message>
        <source>%1, receipt number %2: %3. %4</source>
        <translation>%1，受理编号%2：%3。%4</translation>
    </message>
    <message>
        <source>Receipt number: %1</source>
        <translation>受理编号：%1</translation>
    </message>
    <message>
        <source>Received %1 · Updated %2</source>
        <translation>接收 %1 · 更新 %2</translation>
    </message>
    <message>
        <source>What to correct: %1</source>
        <translation>需补正：%1</translation>
    </message>
    <message>
        <source>Note: %1</source>
        <translation>说明：%1</translation>
    </message>
    <message>
        <source>This service cannot be corrected at this terminal. Please go to a service counter.</source>
        <translation>此事项不能在本机补正，请到窗口办理。</translation>
    </message>
    <message>
        <source>Submit corrections</source>
        <translation>提交补正材料</translation>
    </message>
    <message>
        <source>The application of the receipt you scanned. To see all of yours, present your ID document.</source>
        <translation>这是您所扫回执对应的办件。如需查看您的全部办件，请出示身份证件。</translation>
    </message>
    <message>
        <source>Corrections need your identity: touch &quot;Present ID document&quot; and place your ID card on the reader.</source>
        <translation>提交补正需要核验身份：请点击“出示身份证件”，并将身份证放到读卡区。</translation>
    </message>
    <message>
        <source>Present ID document</source>
        <translation>出示身份证件</translation>
    </message>
    <message>
        <source>Print progress slip</source>
        <translation>打印进度凭条</translation>
    </message>
    <message>
        <source>Try again</source>
        <translation>重新查询</translation>
    </message>
    <message>
        <source>Finish</source>
        <translation>完成</translation>
    </message>
</context>
<context>
    <name>RatingPanel</name>
    <message>
        <source>Thank you for your rating.</source>
        <translation>感谢您的评价！</translation>
    </message>
    <message>
        <source>How satisfied are you with this service?</source>
        <translation>您对本次服务满意吗？</translation>
    </message>
    <message>
        <source>Optional: touch what your rating is about, then touch a level.</source>
        <translation>可先选择评价涉及的方面（可不选），再点击满意程度。</translation>
    </message>
</context>
<context>
    <name>ReviewScreen</name>
    <message>
        <source>Check your application</source>
        <translation>请核对申请信息</translation>
    </message>
    <message>
        <source>If something is wrong, go back and correct it.</source>
        <translation>如有错误，请返回上一步修改。</translation>
    </message>
    <message numerus="yes">
        <source>%n page(s)</source>
        <translation>
            <numerusform>共 %n 页</numerusform>
        </translation>
    </message>
    <message>
        <source>I confirm that the information is true and agree that it is submitted to the government service platform.</source>
        <translation>本人承诺所填信息真实有效，并同意将以上信息提交至政务服务平台。</translation>
    </message>
    <message>
        <source>Submit application</source>
        <translation>提交申请</translation>
    </message>
</context>
<context>
    <name>ScrollCue</name>
    <message>
        <source>More below</source>
        <translation>下方还有内容</translation>
    </message>
</context>
<context>
    <name>SignaturePad</name>
    <message>
        <source>Sign here with your finger</source>
        <translation>请用手指在此处签名</translation>
    </message>
    <message>
        <source>Undo last stroke</source>
        <translation>撤销上一笔</translation>
    </message>
    <message>
        <source>Clear and sign again</source>
        <translation>清除重签</translation>
    </message>
</context>
<context>
    <name>StepIndicator</name>
    <message>
        <source>Choose service</source>
        <translation>选择事项</translation>
    </message>
    <message>
        <source>Read notice</source>
        <translation>阅读须知</translation>
    </message>
    <message>
        <source>Verify identity</source>
        <translation>身份核验</translation>
    </message>
    <message>
        <source>Check progress</source>
        <translation>查询进度</translation>
    </message>
    <message>
        <source>Take photo</source>
        <translation>人像采集</translation>
    </message>
    <message>
        <source>Print certificate</source>
        <translation>打印证明</translation>
    </message>
    <message>
        <source>Fill in form</source>
        <translation>填写表单</translation>
    </message>
    <message>
        <source>Confirm</source>
        <translation>确认提交</translation>
    </message>
    <message>
        <source>Print receipt</source>
        <translation>打印回执</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>完成</translation>
    </message>
</context>
</TS>
