set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'roofline_m2_prefill.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set logscale y
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2
set ylabel 'measured / roofline floor (x), mean with 95% CI'
set title 'synthetic-18m: prefill, prefill_roofline_ratio (1 = floor)'
$d0 << EOD
-0.06 25.7388596 25.0438132 26.433906
0.94 27.4629328 26.2703059 28.6555597
1.94 27.1001959 24.3905884 29.8098033
EOD
$d1 << EOD
0 144.492912 137.469578 151.516246
1 144.368725 140.668984 148.068465
2 173.207795 169.529847 176.885743
EOD
$d2 << EOD
0.06 318.301593 304.957346 331.645839
1.06 300.940027 293.818948 308.061106
2.06 297.629792 284.354824 310.904759
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cuda fp16 on cuda:0', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cuda fp16 on cuda:0', \
     $d2 using 1:2:3:4 with yerrorlines title 'transformers-eager fp16 on cuda:0'
