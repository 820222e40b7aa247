set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'roofline_m4_prefill.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set logscale y
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2
set ylabel 'measured / roofline floor (x), mean with 95% CI'
set title 'gpt2: prefill, prefill_roofline_ratio (1 = floor)'
$d0 << EOD
-0.03 1.58421952 0.718389064 2.45004998
0.97 1.3985692 1.02519033 1.77194807
1.97 1.06148993 0.985616084 1.13736377
EOD
$d1 << EOD
0.03 1.36493475 1.34055889 1.38931061
1.03 0.585317729 0.57333817 0.597297289
2.03 0.541238539 0.50690341 0.575573668
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cpu fp32 on cpu'
