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
-0.03 1.46903919 1.340591 1.59748737
0.97 0.59520769 0.583095091 0.60732029
1.97 0.644544128 0.515103925 0.773984331
EOD
$d1 << EOD
0.03 2.19241553 2.02199433 2.36283673
1.03 0.48651689 0.478262454 0.494771326
2.03 0.480156872 0.423566779 0.536746964
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cpu fp32 on cpu'
