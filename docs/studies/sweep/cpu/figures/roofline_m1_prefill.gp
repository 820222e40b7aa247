set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'roofline_m1_prefill.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set logscale y
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2
set ylabel 'measured / roofline floor (x), mean with 95% CI'
set title 'synthetic-0.8m: prefill, prefill_roofline_ratio (1 = floor)'
$d0 << EOD
-0.03 1.19491631 1.1905841 1.19924851
0.97 0.753700112 0.542565849 0.964834374
1.97 0.541145114 0.490441484 0.591848743
EOD
$d1 << EOD
0.03 2.55540111 2.2007504 2.91005181
1.03 0.339678884 0.32020253 0.359155239
2.03 0.291456247 0.26674297 0.316169524
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cpu fp32 on cpu'
