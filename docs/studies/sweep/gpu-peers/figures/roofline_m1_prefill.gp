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
-0.06 245.914647 239.978391 251.850904
0.94 258.44612 244.972332 271.919908
1.94 273.185829 257.534243 288.837414
EOD
$d1 << EOD
0 1444.00928 1355.30082 1532.71774
1 1545.87178 1377.88832 1713.85524
2 2204.25706 2113.50474 2295.00937
EOD
$d2 << EOD
0.06 3519.47511 2364.07759 4674.87264
1.06 3050.77612 2999.58055 3101.97169
2.06 3450.91788 3225.91507 3675.92069
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cuda fp16 on cuda:0', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cuda fp16 on cuda:0', \
     $d2 using 1:2:3:4 with yerrorlines title 'transformers-eager fp16 on cuda:0'
